import { TypeInfo, getNamedType, isAbstractType, visit, visitWithTypeInfo, type ASTNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import { VIEWER_DEPENDENT_DIRECTIVE, ViewerDependence } from '@stagelives/schema';
import { type Supergraph, fieldDirectives } from './supergraph-directives.js';

/**
 * Which fields answer differently per viewer, as the subgraphs declare them with
 * `@viewerDependent` (schema/src/viewer-dependent.ts), read from the supergraph at start-up. The
 * one source for every mechanism that shares an answer between viewers: subscription groups
 * (router/src/subscriptions/) and the response cache (router/src/response-cache/).
 */
export class ViewerDependentFields {
  private constructor(private readonly fields: () => ReadonlyMap<string, ViewerDependence>) {}

  /** The declarations of a supergraph SDL. Throws on a kind this router does not know. */
  static fromSupergraph(supergraph: Supergraph): ViewerDependentFields {
    const kinds = new Set<string>(Object.values(ViewerDependence));
    const fields = new Map<string, ViewerDependence>();
    for (const [coordinate, args] of fieldDirectives(supergraph, VIEWER_DEPENDENT_DIRECTIVE)) {
      const kind = args.kind;
      if (typeof kind !== 'string' || !kinds.has(kind)) throw new Error(`@${VIEWER_DEPENDENT_DIRECTIVE} on ${coordinate} has an unknown kind: ${String(kind)}`);
      fields.set(coordinate, kind as ViewerDependence);
    }
    return new ViewerDependentFields(() => fields);
  }

  /** Answers with the declarations `current()` gives at each call: those of the supergraph being served, after every reload (supergraph-source.ts). */
  static live(current: () => ViewerDependentFields): ViewerDependentFields {
    return new ViewerDependentFields(() => current().fields());
  }

  /** How `Type.field` depends on the viewer, or undefined when every viewer gets the same answer. */
  of(type: string, field: string): ViewerDependence | undefined {
    return this.fields().get(`${type}.${field}`);
  }

  /** Every declared field, as `Type.field` coordinates. */
  get coordinates(): string[] {
    return [...this.fields().keys()];
  }

  /**
   * Whether a document (valid against the API schema) selects a viewer-dependent field anywhere,
   * fragments included. Interface fields count when any implementation declares them.
   */
  selects(schema: GraphQLSchema, document: ASTNode | DocumentNode): boolean {
    const typeInfo = new TypeInfo(schema);
    let found = false;
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field: (node) => {
          if (found || node.name.value === '__typename') return;
          const parent = typeInfo.getParentType();
          if (!parent) return;
          const named = getNamedType(parent);
          const candidates = isAbstractType(named) ? [named.name, ...schema.getPossibleTypes(named).map((t) => t.name)] : [named.name];
          if (candidates.some((type) => this.of(type, node.name.value))) found = true;
        },
      }),
    );
    return found;
  }
}
