import { ROUTE_POLICIES, type RoutePolicy, routePolicyFor } from '@onasis/contracts';
import { ACCESS_EXTENSION, API_KEYS_EXTENSION } from '@onasis/http';
import { beforeAll, describe, expect, it } from 'vitest';
import { gatewayOperations, labelOf, type ServiceOperation, serviceOperations } from './service-operations.js';

// The services declare who may call each route beside the route (`...access(...)` of @onasis/http), and it lands in
// their OpenAPI parts; the gateway enforces ROUTE_POLICIES before it forwards anything. These tests hold the two equal
// both ways, so neither can drift.
let operations: ServiceOperation[] = [];
beforeAll(async () => {
  operations = [...(await serviceOperations()), ...gatewayOperations()];
});

const rowOf = (policy: RoutePolicy) => `${policy.method} ${policy.path}`;

describe('ROUTE_POLICIES against the services’ own declarations', () => {
  it('finds operations to compare', () => {
    expect(operations.length).toBeGreaterThan(0);
  });

  it('finds an access declaration on every operation', () => {
    const undeclared = operations.filter((op) => typeof op.operation[ACCESS_EXTENSION] !== 'string').map(labelOf);
    expect(undeclared).toEqual([]);
  });

  it('grants each operation exactly the access and API-key flag it declares', () => {
    const differing = operations.flatMap((op) => {
      const policy = routePolicyFor(op.method, op.path);
      const gateway = { access: policy.access, apiKeys: policy.apiKeys === true };
      const service = { access: op.operation[ACCESS_EXTENSION], apiKeys: op.operation[API_KEYS_EXTENSION] === true };
      return gateway.access === service.access && gateway.apiKeys === service.apiKeys
        ? []
        : [`${labelOf(op)}: declares ${JSON.stringify(service)}, gateway has ${JSON.stringify(gateway)}`];
    });
    expect(differing).toEqual([]);
  });

  it('uses every row of the table for at least one operation', () => {
    const used = new Set(operations.map((op) => rowOf(routePolicyFor(op.method, op.path))));
    expect(ROUTE_POLICIES.map(rowOf).filter((row) => !used.has(row))).toEqual([]);
  });
});
