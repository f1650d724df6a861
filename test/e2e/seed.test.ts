import { describe, expect, inject, it } from 'vitest';
import { queryLocal, seedAdmin } from '../../scripts/platform.mjs';

interface AdminRow {
  id: string;
  password_hash: string;
  status: string;
  roles: string;
}

const persistTo = inject('persistTo');
const ADMIN = `SELECT u.id, u.password_hash, u.status, group_concat(r.role) AS roles
  FROM users u LEFT JOIN user_roles r ON r.user_id = u.id WHERE u.email = 'admin@onasis.local' GROUP BY u.id`;

describe('local admin seed', () => {
  it('has seeded one active admin with the admin role and a PBKDF2 hash', async () => {
    const rows = (await queryLocal(persistTo, 'identity', ADMIN)) as AdminRow[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'active', roles: 'admin' });
    expect(rows[0]?.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);
  });

  it('leaves the existing admin as it is when it runs again, as on every `pnpm dev`', async () => {
    const before = (await queryLocal(persistTo, 'identity', ADMIN)) as AdminRow[];
    await seedAdmin(persistTo, { password: 'a-different-password', pepper: 'another-pepper' });
    const after = (await queryLocal(persistTo, 'identity', ADMIN)) as AdminRow[];
    expect(after).toEqual(before);
  });
});
