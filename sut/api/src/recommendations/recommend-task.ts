/** What the api hands a recommendation thread (worker.mjs). */
export interface RecommendTask {
  productId: number;
  limit: number;
}

/** What a recommendation thread answers: the products, and when it started and finished (epoch ms). */
export interface RecommendResult {
  productIds: number[];
  startedAt: number;
  finishedAt: number;
}
