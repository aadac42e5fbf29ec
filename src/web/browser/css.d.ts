// esbuild bundles a script's imported stylesheets into its own .css file (scripts/build-web.ts).
declare module '*.css';
