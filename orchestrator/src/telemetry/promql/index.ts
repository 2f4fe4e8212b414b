export { parsePromql } from './parser.ts';
export {
  createPromqlEngine,
  formatValue,
  MAX_POINTS,
  type PromqlEngine,
  type MatrixData,
  type InstantData,
} from './engine.ts';
export { PromqlParseError, PromqlUnsupportedError, PromqlEvalError } from './errors.ts';
export { selectedMetricNames, vectorSelectors, type Expr, type VectorSelector } from './ast.ts';
