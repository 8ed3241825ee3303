import 'reflect-metadata';
import { Directive } from 'type-graphql';

/**
 * Who may see a field, declared once where the field is defined: `@viewerDependent(kind: …)`
 * marks a field whose answer depends on who asks. It is a composed directive (a `@link`ed spec of
 * ours, kept in the supergraph by `@composeDirective`), so the router reads every declaration from
 * the supergraph at start (router/src/field-policies.ts) and every mechanism that shares one answer
 * between viewers — subscription groups, the response cache — honours it. No list of field names is
 * kept anywhere else; test/router/viewer-dependence.e2e.test.ts runs every field reachable from the
 * main entities as several viewers and fails when an undeclared one answers differently.
 */
export const VIEWER_DEPENDENT_SDL = `
extend schema @link(url: "https://stagelives.dev/viewer/v0.1", import: ["@viewerDependent"]) @composeDirective(name: "@viewerDependent")
"""The field's answer depends on who asks: it is never shared between viewers."""
directive @viewerDependent(kind: ViewerDependence!) on FIELD_DEFINITION
"""Why a field's answer depends on who asks: only its owner (and staff) may read it, only staff may, or each viewer gets their own."""
enum ViewerDependence { OWNER STAFF VIEWER }
`;

/** Why a field's answer depends on who asks. */
export enum ViewerDependence {
  /** Only the owner of the parent (and staff) may read it; others get null or an error. */
  OWNER = 'OWNER',
  /** Only staff may read it. */
  STAFF = 'STAFF',
  /** Everyone may read it, and each viewer gets their own answer (`viewerHasLiked`, `me`). */
  VIEWER = 'VIEWER',
}

/** The name of the directive in SDL (without `@`). */
export const VIEWER_DEPENDENT_DIRECTIVE = 'viewerDependent';

/**
 * Declares that a field's answer depends on who asks, and marks it `@cacheControl(scope: PRIVATE)`
 * for Apollo's cache hints. Put it on the field's definition (an `@Field` or `@FieldResolver`).
 */
export const ViewerDependent = (kind: ViewerDependence) => (target: object, propertyKey: string | symbol, descriptor?: PropertyDescriptor) => {
  Directive(`@${VIEWER_DEPENDENT_DIRECTIVE}(kind: ${kind})`)(target, propertyKey, descriptor as PropertyDescriptor);
  Directive('@cacheControl(scope: PRIVATE)')(target, propertyKey, descriptor as PropertyDescriptor);
};
