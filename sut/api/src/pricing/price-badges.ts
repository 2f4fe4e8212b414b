import { EventEmitter } from 'node:events';

/** Hourly price points a badge looks at: 150 days. */
export const trendPoints = 3600;

interface Tracked {
  id: number;
  priceCents: number;
  /** The product's hourly prices over the trend window, oldest first. */
  trend: number[];
  badge: '' | 'price dropped' | 'price up';
}

/**
 * Release 2026.12.1's price badges. Each catalogue page registers a listener for price refreshes so that its
 * products' badges follow the prices, and refreshes the prices it shows. The listener is never removed when the
 * page has been answered: every page ever served stays reachable from the emitter, with its 150-day trends, and
 * every refresh runs all of them. That is the release's defect, on purpose (the leak incident): memory grows
 * with every page, each refresh costs more than the last, and Node warns once (MaxListenersExceededWarning).
 */
export class PriceBadges {
  private readonly refreshes = new EventEmitter();

  /** Badges for the products of one page (refreshing every listening page's badges on the way). */
  track(products: readonly { id: number; priceCents: number }[]): Map<number, string> {
    const tracked: Tracked[] = products.map((p) => ({
      id: p.id,
      priceCents: p.priceCents,
      trend: hourlyTrend(p.id, p.priceCents),
      badge: '',
    }));
    this.refreshes.on('refresh', () => {
      for (const t of tracked) t.badge = badgeOf(t);
    });
    this.refreshes.emit('refresh');
    return new Map(tracked.map((t) => [t.id, t.badge]));
  }

  /** Pages still listening (the leak's size). */
  get listeners(): number {
    return this.refreshes.listenerCount('refresh');
  }
}

/** A product's hourly price history: deterministic, around today's price (the shop has no price history table). */
function hourlyTrend(id: number, priceCents: number): number[] {
  const out = new Array<number>(trendPoints);
  for (let h = 0; h < trendPoints; h++) out[h] = priceCents * (1 + 0.05 * Math.sin((id + h) / 24));
  return out;
}

function badgeOf(t: Tracked): Tracked['badge'] {
  let sum = 0;
  for (const p of t.trend) sum += p;
  const mean = sum / t.trend.length;
  if (t.priceCents < mean * 0.97) return 'price dropped';
  if (t.priceCents > mean * 1.03) return 'price up';
  return '';
}
