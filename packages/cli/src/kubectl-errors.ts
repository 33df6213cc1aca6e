// How kubectl reports what went wrong: kubectl pkg/cmd/util/helpers.go checkErr,
// StandardErrorMessage, MultipleErrors and AddSourceToErr. One error prints on its own (an Invalid
// one as "The Service "x" is invalid: ..."); several print one line each, as an aggregate does.
import { kubectlErrorText, type Status } from '@kubemu/core';
import { ApiError, ConnectionError } from '@kubemu/client';

/** cmdutil.AddSourceToErr: `error when creating "svc.yaml": <message>`. */
export function addSourceToErr(verb: string, source: string | undefined, err: unknown): unknown {
  if (!source) return err;
  if (err instanceof ApiError) {
    const status: Status = { ...err.status, message: `error when ${verb} ${JSON.stringify(source)}: ${err.status.message ?? ''}` };
    return new ApiError(status);
  }
  if (err instanceof ConnectionError) return err;
  return new Error(`error when ${verb} ${JSON.stringify(source)}: ${(err as Error)?.message ?? String(err)}`);
}

/** StandardErrorMessage, else the error's own text (messageForError). */
export function messageForError(err: unknown): string {
  if (err instanceof ApiError) {
    const s = err.status;
    if (s.reason === 'Unauthorized') return `error: You must be logged in to the server (${s.message ?? ''})`;
    if (s.reason) return `Error from server (${s.reason}): ${s.message ?? ''}`;
    return `Error from server: ${s.message ?? ''}`;
  }
  if (err instanceof ConnectionError) return err.message;
  return (err as Error)?.message ?? String(err);
}

function singleErrorText(err: unknown): string {
  if (err instanceof ApiError && err.status.reason === 'Invalid' && err.status.details?.causes) return kubectlErrorText(err.status);
  if (err instanceof ApiError || err instanceof ConnectionError) return messageForError(err);
  const msg = messageForError(err);
  return msg.startsWith('error: ') ? msg : `error: ${msg}`;
}

/** What kubectl writes to stderr for the errors a command collected (empty when there are none). */
export function checkErrText(errors: readonly unknown[]): string {
  if (errors.length === 0) return '';
  if (errors.length === 1) return singleErrorText(errors[0]) + '\n';
  return errors.map((e) => messageForError(e) + '\n').join('');
}
