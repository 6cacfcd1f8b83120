// Imported first by bench/run.ts: the schema builder reads NODE_ENV when its
// module is evaluated, and a benchmark should measure the production settings.
process.env.NODE_ENV ??= 'production';
export {};
