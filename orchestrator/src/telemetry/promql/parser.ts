import { parser as lezer } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { createMatcher, type LabelMatcher, type MatchOp } from '../metrics/label-matcher.ts';
import {
  aggregateOps,
  isSetOp,
  supportedFunctions,
  typeOf,
  type AggregateOp,
  type BinaryOp,
  type Expr,
  type FunctionName,
  type ValueType,
  type VectorMatching,
  type VectorSelector,
} from './ast.ts';
import { PromqlParseError, PromqlUnsupportedError } from './errors.ts';

const signatures: Record<FunctionName, ValueType[]> = {
  rate: ['matrix'],
  irate: ['matrix'],
  increase: ['matrix'],
  changes: ['matrix'],
  avg_over_time: ['matrix'],
  min_over_time: ['matrix'],
  max_over_time: ['matrix'],
  histogram_quantile: ['scalar', 'vector'],
  clamp_min: ['vector', 'scalar'],
};

const binaryOps: Record<string, BinaryOp> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
};
const unsupportedBinary: Record<string, string> = { Mod: '%', Pow: '^', Atan2: 'atan2' };
const matchOps: Record<string, MatchOp> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

/** Parses PromQL with the Prometheus project's lezer grammar into the hub's AST, type-checked. */
export function parsePromql(query: string): Expr {
  if (query.trim() === '') throw new PromqlParseError('empty query');
  const tree = lezer.parse(query);
  let errorAt = -1;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && errorAt < 0) errorAt = n.from;
    },
  });
  if (errorAt >= 0) throw new PromqlParseError(`syntax error at position ${errorAt + 1} of ${JSON.stringify(query)}`);
  const top = tree.topNode.firstChild;
  if (!top) throw new PromqlParseError('empty query');
  return new Converter(query).expr(top);
}

class Converter {
  private readonly src: string;
  constructor(src: string) {
    this.src = src;
  }

  private text(n: SyntaxNode): string {
    return this.src.slice(n.from, n.to);
  }

  private children(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
    return out;
  }

  expr(n: SyntaxNode): Expr {
    switch (n.name) {
      case 'ParenExpr':
        return this.expr(this.children(n)[0]);
      case 'NumberDurationLiteral':
        return { type: 'number', value: parseNumber(this.text(n)) };
      case 'VectorSelector':
        return this.vectorSelector(n);
      case 'MatrixSelector':
        return this.matrixSelector(n);
      case 'FunctionCall':
        return this.call(n);
      case 'AggregateExpr':
        return this.aggregate(n);
      case 'BinaryExpr':
        return this.binary(n);
      case 'UnaryExpr': {
        const [op, inner] = this.children(n);
        const e = this.expr(inner);
        if (typeOf(e) === 'matrix')
          throw new PromqlParseError('unary expression only allowed on expressions of type scalar or instant vector');
        return { type: 'unary', op: this.text(op) === '-' ? '-' : '+', expr: e };
      }
      case 'StringLiteral':
        throw new PromqlUnsupportedError('a string literal');
      case 'SubqueryExpr':
        throw new PromqlUnsupportedError('a subquery');
      case 'OffsetExpr':
        throw new PromqlUnsupportedError('the offset modifier');
      case 'StepInvariantExpr':
        throw new PromqlUnsupportedError('the @ modifier');
      default:
        throw new PromqlUnsupportedError(`the expression ${JSON.stringify(this.text(n))} (${n.name})`);
    }
  }

  private vectorSelector(n: SyntaxNode): VectorSelector {
    let name: string | undefined;
    const matchers: LabelMatcher[] = [];
    for (const c of this.children(n)) {
      if (c.name === 'Identifier') name = this.text(c);
      else if (c.name === 'LabelMatchers') {
        for (const m of this.children(c)) {
          if (m.name === 'QuotedLabelName') {
            name = unquote(this.text(m));
            continue;
          }
          const parts = this.children(m);
          const labelName = m.name === 'QuotedLabelMatcher' ? unquote(this.text(parts[0])) : this.text(parts[0]);
          const opNode = parts[1].firstChild;
          const op = opNode ? matchOps[opNode.name] : undefined;
          if (!op) throw new PromqlParseError(`unknown label match operator ${this.text(parts[1])}`);
          try {
            matchers.push(createMatcher(op, labelName, unquote(this.text(parts[2]))));
          } catch (err) {
            throw new PromqlParseError((err as Error).message);
          }
        }
      }
    }
    if (name !== undefined) matchers.unshift(createMatcher('=', '__name__', name));
    if (name === undefined && !matchers.some((m) => !m.matches(''))) {
      throw new PromqlParseError('vector selector must contain at least one non-empty matcher');
    }
    return { type: 'vectorSelector', name, matchers };
  }

  private matrixSelector(n: SyntaxNode): Expr {
    const [vs, dur] = this.children(n);
    const durChildren = this.children(dur);
    if (durChildren.length !== 1) throw new PromqlUnsupportedError('a duration expression');
    return {
      type: 'matrixSelector',
      selector: this.vectorSelector(vs),
      rangeMs: parseDurationMs(this.text(durChildren[0])),
    };
  }

  private call(n: SyntaxNode): Expr {
    const [ident, body] = this.children(n);
    const fname = this.text(ident);
    if (!(supportedFunctions as readonly string[]).includes(fname))
      throw new PromqlUnsupportedError(`function '${fname}'`);
    const func = fname as FunctionName;
    const args = this.children(body).map((a) => this.expr(a));
    const want = signatures[func];
    if (args.length !== want.length) {
      throw new PromqlParseError(`expected ${want.length} argument(s) in call to "${func}", got ${args.length}`);
    }
    args.forEach((a, i) => {
      const got = typeOf(a);
      if (got !== want[i]) {
        throw new PromqlParseError(
          `expected type ${typeName(want[i])} in call to function "${func}", got ${typeName(got)}`,
        );
      }
    });
    return { type: 'call', func, args };
  }

  private aggregate(n: SyntaxNode): Expr {
    let op: AggregateOp | undefined;
    let without = false;
    let labels: string[] = [];
    let args: SyntaxNode[] = [];
    for (const c of this.children(n)) {
      if (c.name === 'AggregateOp') {
        const name = this.text(c).toLowerCase();
        if (!(aggregateOps as readonly string[]).includes(name))
          throw new PromqlUnsupportedError(`aggregation '${name}'`);
        op = name as AggregateOp;
      } else if (c.name === 'AggregateModifier') {
        for (const m of this.children(c)) {
          if (m.name === 'Without') without = true;
          if (m.name === 'GroupingLabels') labels = this.children(m).map((l) => this.text(l));
        }
      } else if (c.name === 'FunctionCallBody') args = this.children(c);
    }
    if (!op) throw new PromqlParseError('aggregation without an operator');
    if (args.length !== 1)
      throw new PromqlParseError(
        `wrong number of arguments for aggregate expression provided, expected 1, got ${args.length}`,
      );
    const expr = this.expr(args[0]);
    if (typeOf(expr) !== 'vector')
      throw new PromqlParseError(
        `expected type instant vector in aggregation expression, got ${typeName(typeOf(expr))}`,
      );
    return { type: 'aggregate', op, without, labels, expr };
  }

  private binary(n: SyntaxNode): Expr {
    const parts = this.children(n);
    const lhs = this.expr(parts[0]);
    const rhs = this.expr(parts[parts.length - 1]);
    const opNode = parts[1];
    if (unsupportedBinary[opNode.name])
      throw new PromqlUnsupportedError(`operator '${unsupportedBinary[opNode.name]}'`);
    const op = binaryOps[opNode.name];
    if (!op) throw new PromqlParseError(`unknown binary operator ${this.text(opNode)}`);
    let bool = false;
    let matching: VectorMatching | null = null;
    for (const m of parts.slice(2, -1)) {
      if (m.name === 'BoolModifier') bool = true;
      if (m.name === 'MatchingModifierClause') {
        const cs = this.children(m);
        if (cs.some((c) => c.name === 'GroupLeft' || c.name === 'GroupRight'))
          throw new PromqlUnsupportedError('group_left/group_right matching');
        const grouping = cs.find((c) => c.name === 'GroupingLabels');
        matching = {
          on: cs[0].name === 'On',
          labels: grouping ? this.children(grouping).map((l) => this.text(l)) : [],
        };
      }
    }
    const lt = typeOf(lhs);
    const rt = typeOf(rhs);
    if (lt === 'matrix' || rt === 'matrix')
      throw new PromqlParseError('binary expression must contain only scalar and instant vector types');
    if (isSetOp(op)) {
      if (lt !== 'vector' || rt !== 'vector')
        throw new PromqlParseError(`set operator "${op}" not allowed in binary scalar expression`);
      if (bool) throw new PromqlParseError('bool modifier can only be used on comparison operators');
      return { type: 'binary', op, lhs, rhs, bool, matching };
    }
    const comparison = !['+', '-', '*', '/'].includes(op);
    if (comparison && lt === 'scalar' && rt === 'scalar' && !bool)
      throw new PromqlParseError('comparisons between scalars must use BOOL modifier');
    if (bool && !comparison) throw new PromqlParseError('bool modifier can only be used on comparison operators');
    if (matching && (lt === 'scalar' || rt === 'scalar'))
      throw new PromqlParseError('vector matching only allowed between instant vectors');
    return { type: 'binary', op, lhs, rhs, bool, matching };
  }
}

function typeName(t: ValueType): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : 'scalar';
}

/** Number literals: decimal, hexadecimal, Inf/NaN, and durations (seconds), as PromQL reads them. */
export function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/.test(lower)) return parseInt(lower, 16);
  const n = Number(text);
  if (!Number.isNaN(n)) return n;
  return parseDurationMs(text) / 1000;
}

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

export function parseDurationMs(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const m = DURATION_RE.exec(text);
  if (!m || text === '') throw new PromqlParseError(`invalid duration ${JSON.stringify(text)}`);
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1]) ms += Number(m[i + 1]) * UNIT_MS[i];
  if (ms <= 0) throw new PromqlParseError(`duration must be greater than 0: ${text}`);
  return ms;
}

/** Go string literal rules: "…" and '…' with escapes, `…` raw. */
export function unquote(lit: string): string {
  const q = lit[0];
  const body = lit.slice(1, -1);
  if (q === '`') return body;
  const simple: Record<string, string> = {
    a: '\x07',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
    '\\': '\\',
    '"': '"',
    "'": "'",
  };
  return body.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[0-7]{3}|.)/g, (_m, e: string) => {
    if (e.length === 1) {
      if (e in simple) return simple[e];
      throw new PromqlParseError(`invalid escape sequence \\${e}`);
    }
    if (e[0] === 'u' || e[0] === 'U' || e[0] === 'x') return String.fromCodePoint(parseInt(e.slice(1), 16));
    return String.fromCodePoint(parseInt(e, 8));
  });
}
