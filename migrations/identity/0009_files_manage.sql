-- Seeing every user's files and the storage stats is its own admin permission (files:manage in packages/contracts).
UPDATE `roles` SET `permissions` = json_insert(`permissions`, '$[#]', 'files:manage')
WHERE `name` = 'admin' AND NOT EXISTS (SELECT 1 FROM json_each(`roles`.`permissions`) WHERE `value` = 'files:manage');
