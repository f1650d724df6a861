ALTER TABLE `signing_keys` ADD `alg` text DEFAULT 'ES256' NOT NULL;--> statement-breakpoint
ALTER TABLE `signing_keys` ADD `private_jwk_encrypted` text;