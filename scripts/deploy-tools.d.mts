// Types of scripts/deploy-tools.mjs (plain Node, imported by test/production/deploy.test.ts).
export declare const KUBERNETES_VERSION: string;
export declare const root: string;
export declare const tools: { kustomize: string; kubeconform: string; yaml2json: string; dockerfileLint: string; schemas: string };
export declare const schemaLocation: string;
export declare function overlays(): string[];
export declare function convertSwagger(swagger: { definitions: Record<string, unknown> }, strict: boolean): Map<string, unknown>;
export declare function ensureDeployTools(): typeof tools;
export declare function renderOverlay(name: string): string;
export declare function parseManifests(yaml: string): any[];
export declare function validate(yaml: string): { ok: boolean; output: string };
export declare function lintDockerfile(file?: string): { ok: boolean; output: string };
