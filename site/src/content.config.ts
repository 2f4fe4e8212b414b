import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { lessonSchema } from './lib/lesson-schema.ts';

/** Lessons are the MDX files in content/lessons, numbered like a curriculum (01-welcome.mdx, ...). */
const lessons = defineCollection({
  loader: glob({ pattern: '*.mdx', base: './content/lessons' }),
  schema: lessonSchema,
});

export const collections = { lessons };
