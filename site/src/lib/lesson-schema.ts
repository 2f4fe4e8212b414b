import { z } from 'astro/zod';

/** Frontmatter of a lesson (content/lessons/*.mdx). */
export const lessonSchema = z.object({
  title: z.string().min(1).describe('Lesson title, shown as the page heading and in the curriculum.'),
  summary: z.string().min(1).describe('One or two sentences for the curriculum list.'),
  scenario: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .optional()
    .describe('Scenario id the lesson runs (scenarios/<id>.yaml), if any.'),
  order: z.number().int().min(0).describe('Position in the curriculum.'),
  duration: z.number().int().min(1).describe('Expected time in minutes.'),
  objectives: z.array(z.string().min(1)).min(1).describe('What the learner can do afterwards.'),
  panels: z
    .array(z.string())
    .optional()
    .describe('Catalog panel ids for the Observability tab (a default set otherwise).'),
});
export type Lesson = z.infer<typeof lessonSchema>;
