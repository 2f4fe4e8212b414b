/** The query text is not valid PromQL (Prometheus answers these with errorType `bad_data`). */
export class PromqlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromqlParseError';
  }
}

/** Valid PromQL outside the subset the embedded hub evaluates; the message names the construct. */
export class PromqlUnsupportedError extends Error {
  readonly construct: string;
  constructor(construct: string) {
    super(`${construct} is not supported by the embedded hub`);
    this.name = 'PromqlUnsupportedError';
    this.construct = construct;
  }
}

/** A query that parses but cannot be evaluated on the data (e.g. many-to-many matching). */
export class PromqlEvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromqlEvalError';
  }
}
