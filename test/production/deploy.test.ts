/**
 * deploy/: every overlay renders with kustomize and validates with kubeconform -strict against
 * the Kubernetes schemas (derived offline, scripts/deploy-tools.mjs), the Dockerfile passes
 * BuildKit's checks, and the rendered manifests keep the properties docs/production.md promises.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '@stagelives/devkit';
import { SUBGRAPH_CALLS, SUBGRAPH_NAMES } from '@stagelives/schema';
import { ensureDeployTools, lintDockerfile, overlays, parseManifests, renderOverlay, validate } from '../../scripts/deploy-tools.mjs';
import { runtimeCommand } from './support.js';

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
};

const SECRET_VARIABLES = ['MONGODB_URI', 'REDIS_URL', 'IDENTITY_SECRET', 'METRICS_TOKEN', 'SMTP_URL', 'FIREBASE_SERVICE_ACCOUNT', 'FCM_LOCAL_SERVICE_ACCOUNT'];
const PROCESSES = ['router', ...SUBGRAPH_NAMES, 'workers'];

describe('deploy/ (kustomize + kubeconform) and the Dockerfile', () => {
  beforeAll(() => {
    ensureDeployTools();
  }, 600_000);

  it("should pass BuildKit's Dockerfile checks", () => {
    const { ok, output } = lintDockerfile();
    expect(ok, output).toBe(true);
  });

  it("should copy every workspace manifest into both stages and every process's build into the runtime stage", () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const manifests = ['platform', 'schema', 'router', 'workers', 'test', 'tools/devkit', ...SUBGRAPH_NAMES.map((n) => `subgraphs/${n}`)];
    for (const m of manifests) expect(dockerfile.split(`COPY ${m}/package.json ${m}/`).length - 1, m).toBe(2);
    for (const pkg of ['platform', 'schema', 'router', 'workers', ...SUBGRAPH_NAMES.map((n) => `subgraphs/${n}`)]) {
      expect(dockerfile, pkg).toContain(`COPY --from=build /app/${pkg}/dist/ ${pkg}/dist/`);
    }
  });

  for (const overlay of ['dev', 'production']) {
    describe(`overlay ${overlay}`, () => {
      let yaml: string;
      let objects: Manifest[];
      const all = (kind: string) => objects.filter((o) => o.kind === kind);
      const one = (kind: string, name: string) => {
        const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
        if (!found) throw new Error(`no ${kind} ${name} in ${overlay}`);
        return found;
      };

      beforeAll(() => {
        yaml = renderOverlay(overlay);
        objects = parseManifests(yaml);
      });

      it('should be listed, render and validate with kubeconform -strict', () => {
        expect(overlays()).toContain(overlay);
        const { ok, output } = validate(yaml);
        expect(ok, output).toBe(true);
        expect(output).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
      });

      it("should run every process with the image's node flags, probes, resources and a graceful termination", () => {
        const config = all('ConfigMap').find((c) => c.metadata.name.startsWith('stagelives-config'))!;
        const drainSeconds = Number(config.data!.SHUTDOWN_TIMEOUT_MS) / 1000;
        expect(
          all('Deployment')
            .map((d) => d.metadata.name)
            .sort(),
        ).toEqual([...PROCESSES].sort());
        for (const deployment of all('Deployment')) {
          const name = deployment.metadata.name;
          const pod = deployment.spec.template.spec;
          const [container, ...others] = pod.containers;
          expect(others, name).toEqual([]);
          const entry = name === 'router' ? 'router/dist/index.js' : name === 'workers' ? 'workers/dist/index.js' : `subgraphs/${name}/dist/index.js`;
          expect(container.command, name).toEqual([...runtimeCommand().slice(0, -1), entry]);
          expect(existsSync(join(ROOT, entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts'))), entry).toBe(true);
          expect(container.livenessProbe.httpGet, name).toEqual({ path: '/health/live', port: 'http' });
          expect(container.readinessProbe.httpGet, name).toEqual({ path: '/health/ready', port: 'http' });
          expect(container.startupProbe.httpGet, name).toEqual({ path: '/health/live', port: 'http' });
          expect(container.ports.find((p: { name: string }) => p.name === 'http')?.containerPort, name).toBe(4000);
          for (const kind of ['requests', 'limits'])
            for (const r of ['cpu', 'memory']) expect(container.resources[kind]?.[r], `${name} ${kind}.${r}`).toBeDefined();
          const preStop = container.lifecycle.preStop.sleep.seconds;
          expect(pod.terminationGracePeriodSeconds, name).toBeGreaterThan(preStop + drainSeconds);
          expect(pod.securityContext.runAsNonRoot, name).toBe(true);
          expect(container.securityContext.readOnlyRootFilesystem, name).toBe(true);
          expect(container.envFrom[0].configMapRef.name, name).toBe(config.metadata.name);
          for (const variable of container.env ?? []) {
            if (SECRET_VARIABLES.includes(variable.name)) expect(variable.valueFrom?.secretKeyRef?.name, `${name} ${variable.name}`).toBe('stagelives');
          }
        }
      });

      it('should keep secrets out: no Secret object, no secret variable in the ConfigMap', () => {
        expect(all('Secret')).toEqual([]);
        for (const config of all('ConfigMap')) for (const variable of SECRET_VARIABLES) expect(config.data?.[variable], variable).toBeUndefined();
      });

      it('should give the router and each subgraph a ClusterIP Service, the workers none, and every process a PodDisruptionBudget', () => {
        const config = all('ConfigMap').find((c) => c.metadata.name.startsWith('stagelives-config'))!;
        expect(
          all('Service')
            .map((s) => s.metadata.name)
            .sort(),
        ).toEqual(['router', ...SUBGRAPH_NAMES].sort());
        for (const service of all('Service')) expect(service.spec.type).toBe('ClusterIP');
        for (const name of SUBGRAPH_NAMES) expect(config.data!.SUBGRAPH_URLS!.split(','), name).toContain(`${name}=http://${name}/graphql`);
        expect(
          all('PodDisruptionBudget')
            .map((p) => p.metadata.name)
            .sort(),
        ).toEqual([...PROCESSES].sort());
        const hpa = one('HorizontalPodAutoscaler', 'router');
        expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'router' });
      });

      it('should let only the router reach the subgraphs, and only the ingress controller reach the router', () => {
        const subgraphIngress = all('NetworkPolicy').filter((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/component'] === 'subgraph');
        expect(subgraphIngress.map((p) => p.spec.ingress)).toEqual([
          [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'router' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }],
        ]);
        const routerIngress = all('NetworkPolicy').filter(
          (p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/component'] === 'router' && p.spec.ingress,
        );
        expect(routerIngress.flatMap((p) => p.spec.ingress.flatMap((r: { from: unknown[] }) => r.from))).toEqual([
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
        ]);
        // A subgraph reaches another only as SUBGRAPH_CALLS declares (in and out).
        for (const [caller, callees] of Object.entries(SUBGRAPH_CALLS)) {
          const inbound = all('NetworkPolicy').find((p) =>
            p.spec.ingress?.some((r: { from: Array<{ podSelector?: { matchLabels?: Record<string, string> } }> }) =>
              r.from.some((f) => f.podSelector?.matchLabels?.['app.kubernetes.io/name'] === caller),
            ),
          );
          expect(inbound?.spec.podSelector.matchExpressions, caller).toEqual([{ key: 'app.kubernetes.io/name', operator: 'In', values: [...callees!] }]);
          const outbound = all('NetworkPolicy').find((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === caller && p.spec.egress);
          expect(outbound?.spec.egress[0].to[0].podSelector.matchExpressions[0].values, caller).toEqual([...callees!]);
        }
        const deny = one('NetworkPolicy', 'default-deny');
        expect(deny.spec.policyTypes).toEqual(['Ingress', 'Egress']);
        expect(deny.spec.ingress ?? []).toEqual([]);
      });

      it('should route /graphql, WebSockets included, through the Ingress with long timeouts', () => {
        const ingress = one('Ingress', 'router-graphql');
        expect(ingress.spec.rules[0].http.paths).toEqual([
          { path: '/graphql', pathType: 'Prefix', backend: { service: { name: 'router', port: { name: 'http' } } } },
        ]);
        expect(Number(ingress.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
        expect(Number(ingress.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(3600);
      });
    });
  }

  it('should fail validation on a field the Kubernetes schema does not have', () => {
    const broken = renderOverlay('production').replace('        readinessProbe:', '        readinesProbe:');
    const { ok, output } = validate(broken);
    expect(ok).toBe(false);
    expect(output).toContain("additional properties 'readinesProbe' not allowed");
  });
});
