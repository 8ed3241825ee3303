import { Directive } from 'type-graphql';
import { PUBLIC_MAX_AGE_SECONDS, VIEWER_DEPENDENT_DIRECTIVE, ViewerDependence } from '@stagelives/schema';

/**
 * `ViewerDependent(VIEWER)` for a root list that is also cacheable for anonymous readers: its
 * answer includes the viewer's own hidden articles, so it is never shared between signed-in
 * viewers, while the anonymous answer (no hidden content) stays cached for the public max-age.
 * One `@cacheControl` carries both hints (the directive is not repeatable).
 */
export const ViewerDependentPublicList = () => (target: object, propertyKey: string | symbol, descriptor?: PropertyDescriptor) => {
  Directive(`@${VIEWER_DEPENDENT_DIRECTIVE}(kind: ${ViewerDependence.VIEWER})`)(target, propertyKey, descriptor as PropertyDescriptor);
  Directive(`@cacheControl(maxAge: ${PUBLIC_MAX_AGE_SECONDS}, scope: PRIVATE)`)(target, propertyKey, descriptor as PropertyDescriptor);
};
