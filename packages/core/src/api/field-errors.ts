// Field errors as k8s.io/apimachinery/pkg/util/validation/field/errors.go builds and prints them.

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

export interface FieldError {
  type: FieldErrorType;
  field: string; // e.g. "spec.ports[0].nodePort"
  /** The offending value; `undefined` when the error type carries none (Required, Forbidden). */
  badValue?: unknown;
  /** Go's %#v rendering of badValue when it is not a string or number (e.g. `[]string{"1.1.1.1"}`). */
  badValueGo?: string;
  detail: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** The `reason` a metav1.StatusCause carries for this error type (CauseType in metav1 types.go). */
export function causeType(type: FieldErrorType): string {
  return type;
}

export function typeText(type: FieldErrorType): string {
  return TYPE_TEXT[type];
}

/**
 * strconv.Quote: Go's %q for a string. JSON.stringify differs for control characters (Go writes
 * \x00, \a, \v, \x7f) and for non-printable runes.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** %#v of a map[string]string: keys sorted (fmt sorts map keys), `(nil)` for a nil map. */
export function goStringMap(m: Record<string, string> | undefined, typeName = 'map[string]string'): string {
  if (m === undefined || m === null) return `${typeName}(nil)`;
  const keys = Object.keys(m).sort();
  return `${typeName}{${keys.map((k) => `${goQuote(k)}:${goQuote(m[k]!)}`).join(', ')}}`;
}

/** %#v of a []string (or a named string slice such as []core.IPFamily), `(nil)` for a nil slice. */
export function goStringSlice(v: readonly string[] | undefined, typeName = '[]string'): string {
  if (v === undefined || v === null) return `${typeName}(nil)`;
  return `${typeName}{${v.map(goQuote).join(', ')}}`;
}

function goValue(e: FieldError): string {
  if (e.badValueGo !== undefined) return e.badValueGo;
  const v = e.badValue;
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // field.Error.ErrorBody: a nil value (or nil pointer) is rendered as the string "null", quoted.
  if (v === null) return '"null"';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return goStringSlice(v);
  return JSON.stringify(v);
}

/** ErrorBody(): the text after "<field>: ". */
export function errorBody(e: FieldError): string {
  let s: string;
  switch (e.type) {
    case 'FieldValueRequired':
    case 'FieldValueForbidden':
    case 'FieldValueTooLong':
    case 'InternalError':
      s = TYPE_TEXT[e.type];
      break;
    default:
      s = e.badValue === undefined && e.badValueGo === undefined ? TYPE_TEXT[e.type] : `${TYPE_TEXT[e.type]}: ${goValue(e)}`;
  }
  if (e.detail !== '') s += `: ${e.detail}`;
  return s;
}

/** Error(): "<field>: <body>". */
export function errorString(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

export const required = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
export const invalid = (field: string, badValue: unknown, detail: string, badValueGo?: string): FieldError =>
  badValueGo === undefined
    ? { type: 'FieldValueInvalid', field, badValue, detail }
    : { type: 'FieldValueInvalid', field, badValue, badValueGo, detail };
export const duplicate = (field: string, badValue: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, badValue, detail: '' });
export const notFound = (field: string, badValue: unknown): FieldError => ({ type: 'FieldValueNotFound', field, badValue, detail: '' });
/** TooLong: the value is never printed (apimachinery field/errors.go, v1.32). */
export const tooLong = (field: string, maxLength: number): FieldError => ({
  type: 'FieldValueTooLong',
  field,
  detail: `must have at most ${maxLength} bytes`,
});
/** TooMany: `Too many: <actual>: must have at most <max> items`. */
export const tooMany = (field: string, actualQuantity: number, maxQuantity: number): FieldError => ({
  type: 'FieldValueTooMany',
  field,
  badValue: actualQuantity,
  detail: `must have at most ${maxQuantity} items`,
});
export const internalError = (field: string, detail: string): FieldError => ({ type: 'InternalError', field, detail });

/**
 * NotSupported with the values of a Go set (`sets.List(...)`): detail `supported values: "A", "B"`,
 * quoted and sorted.
 */
export const notSupported = (field: string, badValue: unknown, supported: readonly string[]): FieldError =>
  notSupportedInOrder(field, badValue, [...supported].sort());

/**
 * NotSupported with an explicit Go slice, printed in the caller's order. apimachinery itself does not
 * sort; validation.go passes literal slices for e.g. restartPolicy ("Always", "OnFailure", "Never").
 */
export const notSupportedInOrder = (field: string, badValue: unknown, supported: readonly string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  badValue,
  detail: supported.length === 0 ? '' : `supported values: ${supported.map(goQuote).join(', ')}`,
});

/** ErrorList.ToAggregate().Error(): one error bare, several as "[e1, e2]", duplicates removed. */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errors) {
    const s = errorString(e);
    if (!seen.has(s)) {
      seen.add(s);
      msgs.push(s);
    }
  }
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}
