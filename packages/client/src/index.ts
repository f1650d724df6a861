export {
  createOnasisClient,
  type DataOf,
  type OnasisClient,
  type OnasisClientOptions,
  type SignInResult,
} from './client.js';
export { type FieldError, isProblem, OnasisError, type Problem } from './errors.js';
export type { RetryOptions } from './retry.js';
export type { components, paths } from './schema.js';
export type { SessionMode, Tokens } from './session.js';
