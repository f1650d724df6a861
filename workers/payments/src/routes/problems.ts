import { problemCatalog } from '@onasis/http';

/** OpenAPI responses for the problem statuses a payments route can answer. */
export const problems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`): amount, currency, metadata, a card number',
  401: 'No valid access token (`UNAUTHENTICATED`)',
  402: 'The provider declined the payment (`PAYMENT_FAILED`); `detail` carries its code and decline code',
  403: 'The caller lacks the permission (`FORBIDDEN`)',
  404: 'No such payment of the caller (`NOT_FOUND`)',
  409: 'The payment is in a state the action does not accept, or changed meanwhile (`CONFLICT`)',
  502: 'The payment provider failed (`UPSTREAM_FAILED`); nothing was recorded half',
  503: 'The payment provider is not configured (`SERVICE_UNAVAILABLE`)',
});
