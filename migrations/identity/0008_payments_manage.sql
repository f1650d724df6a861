-- Reading every payment, refunding anyone's and the ledger are their own admin permission (payments:manage in
-- packages/contracts).
UPDATE `roles` SET `permissions` = json_insert(`permissions`, '$[#]', 'payments:manage')
WHERE `name` = 'admin' AND NOT EXISTS (SELECT 1 FROM json_each(`roles`.`permissions`) WHERE `value` = 'payments:manage');
