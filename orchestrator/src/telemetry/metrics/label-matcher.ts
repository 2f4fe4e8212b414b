/** Label matchers with Prometheus semantics: a missing label equals "", regexes are fully anchored. */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
  matches(labelValue: string | undefined): boolean;
}

export function createMatcher(op: MatchOp, name: string, value: string): LabelMatcher {
  let test: (v: string) => boolean;
  switch (op) {
    case '=':
      test = (v) => v === value;
      break;
    case '!=':
      test = (v) => v !== value;
      break;
    case '=~':
    case '!~': {
      let re: RegExp;
      try {
        // Prometheus anchors regexes at both ends; `s` mirrors RE2's `.` matching newlines in label values.
        re = new RegExp(`^(?:${value})$`, 's');
      } catch (err) {
        throw new Error(
          `invalid regular expression ${JSON.stringify(value)} for label ${name}: ${(err as Error).message}`,
        );
      }
      test = op === '=~' ? (v) => re.test(v) : (v) => !re.test(v);
      break;
    }
  }
  return { name, op, value, matches: (v) => test(v ?? '') };
}
