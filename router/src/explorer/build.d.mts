export interface ExplorerManifest {
  /** Hash of the inputs the assets were built from. */
  stamp: string;
  /** Script and stylesheet file names, relative to explorerAssetsDir. */
  js: string;
  css: string;
}
export declare const explorerAssetsDir: string;
export declare function ensureExplorerAssets(options?: { log?: (message: string) => void; force?: boolean }): Promise<ExplorerManifest>;
