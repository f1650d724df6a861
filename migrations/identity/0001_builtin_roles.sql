-- Built-in roles; their permission lists mirror BUILT_IN_ROLES in packages/contracts (a test keeps them equal).
INSERT INTO roles (name, description, permissions, built_in) VALUES
  ('admin', 'Full access to every resource and admin endpoint.', '["users:read","users:write","roles:read","roles:write","audit-logs:read","payments:read","payments:write","notifications:send","notifications:manage","analytics:read","files:read","files:write","jobs:read","jobs:write","metrics:read"]', 1),
  ('member', 'A signed-in user acting on their own data.', '["files:read","files:write","payments:read","payments:write","analytics:read"]', 1)
ON CONFLICT(name) DO NOTHING;
