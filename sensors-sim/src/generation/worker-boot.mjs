// Entry of the generation worker thread. Node does not hand a thread the module hooks of the
// process that started it, so the thread registers tsx itself (the simulator runs its TypeScript
// through tsx, a dependency of the workspace root) before loading worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
