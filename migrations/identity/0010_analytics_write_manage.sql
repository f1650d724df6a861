-- Managing one's own analytics sites (analytics:write, admin and member) and reading every site and the platform
-- figures (analytics:manage, admin only) are permissions of their own (packages/contracts).
UPDATE `roles` SET `permissions` = json_insert(`permissions`, '$[#]', 'analytics:write')
WHERE `name` IN ('admin', 'member') AND NOT EXISTS (SELECT 1 FROM json_each(`roles`.`permissions`) WHERE `value` = 'analytics:write');
--> statement-breakpoint
UPDATE `roles` SET `permissions` = json_insert(`permissions`, '$[#]', 'analytics:manage')
WHERE `name` = 'admin' AND NOT EXISTS (SELECT 1 FROM json_each(`roles`.`permissions`) WHERE `value` = 'analytics:manage');
