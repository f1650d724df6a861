DROP INDEX `customers_user_id_unique`;--> statement-breakpoint
ALTER TABLE `customers` ADD `provider` text DEFAULT 'stripe' NOT NULL;--> statement-breakpoint
-- Rows from before the column: the sandbox's ids say so, any other is Stripe's (PayPal keeps no customers).
UPDATE `customers` SET `provider` = 'sandbox' WHERE `provider_customer_id` LIKE 'sbx\_%' ESCAPE '\';--> statement-breakpoint
CREATE UNIQUE INDEX `customers_user_provider_unique` ON `customers` (`user_id`,`provider`);