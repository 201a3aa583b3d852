// Turns every expected failure into one clear line naming the problem and the
// fix. Stack traces only appear for bugs, and only with --verbose.
import { AwsCallError } from '../aws/caller.js';
import { ExpectedError } from '../util/expected-error.js';

/** A user-facing failure raised by the CLI layer itself (bad flag combination, refused input). */
export class UsageError extends ExpectedError {}

function describeAwsError(error: AwsCallError): string {
  const action = `${error.service}:${error.operation}`;
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(error.code)) {
    return `AWS denied ${action} (${error.code}): grant the IAM action ${action} to the caller, then run again`;
  }
  if (/CredentialsProviderError|CredentialsError/i.test(error.code) || /Could not load credentials/i.test(error.message)) {
    return 'no AWS credentials found: use --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run without an account using --fixtures DIR';
  }
  if (/UnrecognizedClient|InvalidClientTokenId|ExpiredToken|InvalidSignature|SignatureDoesNotMatch/i.test(error.code)) {
    return `AWS rejected the credentials for ${action} (${error.code}): refresh them (aws sso login, new keys) and run again`;
  }
  // Failures below AWS: the message names the endpoint and the likely cause.
  if (['Timeout', 'TlsError', 'UnreadableResponse'].includes(error.code)) return `${action}: ${error.message}`;
  // Node's network error codes are upper case; matching them case-blind would catch ServiceNotFoundException.
  if (/\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET)\b|socket hang up/.test(error.message)) {
    return `cannot reach AWS for ${action} (${error.message}): check --endpoint-url / AWS_ENDPOINT_URL and the network`;
  }
  return `AWS ${action} failed (${error.code}): ${error.message.split('\n')[0]}`;
}

export function describeError(error: unknown): { message: string; expected: boolean } {
  if (error instanceof AwsCallError) return { message: describeAwsError(error), expected: true };
  if (error instanceof ExpectedError) return { message: error.message, expected: true };
  return { message: error instanceof Error ? error.message : String(error), expected: false };
}
