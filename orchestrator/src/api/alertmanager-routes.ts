import { readFile } from 'node:fs/promises';
import express, { Router } from 'express';
import { z } from 'zod';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { parseInput } from './validate.ts';
import { keyMatches } from '../access/learner-key.ts';
import { BootError } from '../boot/preflight.ts';

const labelSet = z.record(z.string(), z.string());

/**
 * Alertmanager's webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
 * Fields we do not read stay allowed (Alertmanager adds fields between releases); the ones we read are checked.
 */
export const alertmanagerNotificationSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  truncatedAlerts: z.number().int().nonnegative().optional(),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels: labelSet.refine((l) => typeof l.alertname === 'string', 'every alert has an alertname label'),
        annotations: labelSet,
        startsAt: z.iso.datetime({ offset: true }),
        fingerprint: z.string().optional(),
      }),
    )
    .min(1),
});
export type AlertmanagerNotification = z.infer<typeof alertmanagerNotificationSchema>;

/**
 * `POST /v1/alertmanager`: Alertmanager's webhook receiver (stack mode; stack/alertmanager/alertmanager.yml).
 * Mounted at the root beside the trace ingest, so the ingest guard applies (trusted peers, no browser, no proxy),
 * and every request must carry the bearer token both sides read from the generated secret. 204 once recorded.
 */
export function createAlertmanagerWebhook(o: {
  token: string;
  onNotification: (n: AlertmanagerNotification) => Promise<void> | void;
}): Router {
  const router = Router();
  router.post(
    '/v1/alertmanager',
    (req, _res, next) => {
      const given = req.headers.authorization;
      if (given === undefined || !keyMatches(`Bearer ${o.token}`, given))
        return next(
          new HttpError('Alertmanager notifications need the bearer token of secrets/alertmanager-token', {
            code: 'unauthorized',
            status: 401,
          }),
        );
      next();
    },
    express.json({ limit: '64kb', strict: true }),
    async (req, res) => {
      await o.onNotification(parseInput(alertmanagerNotificationSchema, req.body, 'Alertmanager notification'));
      res.status(204).end();
    },
  );
  return router;
}

/** The webhook's token (OBS_ALERTMANAGER_TOKEN_FILE, written by stack/scripts/init-secrets.sh); a bad file stops the boot. */
export async function readAlertmanagerToken(file: string): Promise<string> {
  const token = (
    await readFile(file, 'utf8').catch((err: Error) => {
      throw new BootError(`OBS_ALERTMANAGER_TOKEN_FILE: cannot read ${file}: ${err.message}`);
    })
  ).trim();
  if (token.length < 16 || !/^[\x21-\x7e]+$/.test(token))
    throw new BootError(
      `OBS_ALERTMANAGER_TOKEN_FILE: ${file} must hold at least 16 printable characters without spaces`,
    );
  return token;
}
