// The keys that sign access tokens.
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { JWK } from 'jose';
import { createdAt } from './columns.js';

/**
 * Token-signing keys. The public half is published at /.well-known/jwks.json until the key is retired; the private
 * half is stored only encrypted with KEY_ENCRYPTION_KEY (AES-GCM, the kid as additional data).
 */
export const signingKeys = sqliteTable('signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull().default('ES256'),
  publicJwk: text('public_jwk', { mode: 'json' }).$type<JWK>().notNull(),
  privateJwkEncrypted: text('private_jwk_encrypted'),
  createdAt: createdAt(),
  /**
   * When the key starts signing: normally some minutes after it is published, so every verifier has it first; at
   * once for the key that replaces a retired (leaked) one. Null for keys made before this column: `created_at`.
   */
  signsFrom: text('signs_from'),
  retiredAt: text('retired_at'),
});
