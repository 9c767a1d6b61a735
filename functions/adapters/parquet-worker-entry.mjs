// Entry of the Parquet encoder thread when running from the TypeScript sources (as the CLI does):
// registers tsx's loader in this thread, then loads the worker itself. See parquet-worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./parquet-worker-main.ts');
