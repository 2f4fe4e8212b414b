import type { LabelMatcher } from '../metrics/label-matcher.ts';

/** The embedded hub's own small PromQL AST: only the constructs it evaluates. */
export type ValueType = 'scalar' | 'vector' | 'matrix';

export const rangeFunctions = [
  'rate',
  'irate',
  'increase',
  'changes',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
] as const;
export type RangeFunction = (typeof rangeFunctions)[number];
export const supportedFunctions = [...rangeFunctions, 'histogram_quantile', 'clamp_min'] as const;
export type FunctionName = (typeof supportedFunctions)[number];

export const aggregateOps = ['sum', 'avg', 'min', 'max', 'count'] as const;
export type AggregateOp = (typeof aggregateOps)[number];

export const arithmeticOps = ['+', '-', '*', '/'] as const;
export const comparisonOps = ['==', '!=', '>', '<', '>=', '<='] as const;
/** Set operators between instant vectors (many-to-many by label signature). */
export const setOps = ['and', 'or', 'unless'] as const;
export type ArithmeticOp = (typeof arithmeticOps)[number];
export type ComparisonOp = (typeof comparisonOps)[number];
export type SetOp = (typeof setOps)[number];
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;
export const isSetOp = (op: BinaryOp): op is SetOp => (setOps as readonly string[]).includes(op);

export interface NumberLiteral {
  type: 'number';
  value: number;
}
export interface VectorSelector {
  type: 'vectorSelector';
  name: string | undefined;
  matchers: LabelMatcher[];
}
export interface MatrixSelector {
  type: 'matrixSelector';
  selector: VectorSelector;
  rangeMs: number;
}
export interface Call {
  type: 'call';
  func: FunctionName;
  args: Expr[];
}
export interface Aggregate {
  type: 'aggregate';
  op: AggregateOp;
  without: boolean;
  labels: string[];
  expr: Expr;
}
export interface VectorMatching {
  on: boolean;
  labels: string[];
}
export interface Binary {
  type: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  bool: boolean;
  matching: VectorMatching | null;
}
export interface Unary {
  type: 'unary';
  op: '+' | '-';
  expr: Expr;
}

export type Expr = NumberLiteral | VectorSelector | MatrixSelector | Call | Aggregate | Binary | Unary;

export function typeOf(expr: Expr): ValueType {
  switch (expr.type) {
    case 'number':
      return 'scalar';
    case 'vectorSelector':
    case 'call':
    case 'aggregate':
      return 'vector';
    case 'matrixSelector':
      return 'matrix';
    case 'unary':
      return typeOf(expr.expr);
    case 'binary':
      return typeOf(expr.lhs) === 'scalar' && typeOf(expr.rhs) === 'scalar' ? 'scalar' : 'vector';
  }
}

/** Every metric name an expression selects, for callers that check a panel against what services emit. */
export function selectedMetricNames(expr: Expr): string[] {
  return vectorSelectors(expr).flatMap((s) => (s.name ? [s.name] : []));
}

/** Every vector selector of an expression (a matrix selector's included): which series a query reads. */
export function vectorSelectors(expr: Expr): VectorSelector[] {
  switch (expr.type) {
    case 'number':
      return [];
    case 'vectorSelector':
      return [expr];
    case 'matrixSelector':
      return [expr.selector];
    case 'call':
      return expr.args.flatMap(vectorSelectors);
    case 'aggregate':
    case 'unary':
      return vectorSelectors(expr.expr);
    case 'binary':
      return [...vectorSelectors(expr.lhs), ...vectorSelectors(expr.rhs)];
  }
}
