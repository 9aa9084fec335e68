// Local Serverless plugin: `serverless offline` keeps the bundles nothing changed since they were built,
// at its start and while it watches, and rebuilds only the ones a change touches.
//
// serverless-esbuild bundles every function at each offline start (its before:offline:start:init hook)
// and rebuilds every one of them on each change its watcher sees (an esbuild context per entry: the
// rebuilds are incremental, but each still links, minifies and maps its whole bundle). Its hooks and its
// watcher call bundle() on the plugin's instance; this plugin puts its own bundle() there:
// - each build records, per entry, the files esbuild read (its metafile inputs, content-hashed), the
//   names in their folders (a file added beside an import can change what it resolves to) and the files
//   it wrote, under a digest of the resolved esbuild options, the esbuild version and the files esbuild
//   reads without listing them (tsconfig.json, package.json, package-lock.json). The record is
//   <work folder>/bundle-inputs.json, beside the build folder, so never in a zip;
// - under `offline`, an entry is rebuilt when it has no record, when the digest, one of its inputs or the
//   names in their folders differ, or when its output is gone or is not the file it wrote; the others
//   keep their bundles. Stale entries go through serverless-esbuild's own bundle(), which reuses their
//   esbuild contexts (made at their first rebuild in this process).
// Every other command (package, deploy, invoke local) builds everything as before, and records it: the
// offline start after a package reuses its bundles. The rest (package patterns, offline's location,
// the watcher, reloading offline's functions) is serverless-esbuild's own.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';

export const RECORD_FILE = 'bundle-inputs.json';
const RECORD_VERSION = 2;
// Files esbuild reads that its metafile does not list as inputs (tsconfig settings, package resolution).
const UNLISTED_INPUTS = ['tsconfig.json', 'package.json', 'package-lock.json'];

export default class EsbuildReuse {
  constructor(serverless, options = {}, { log } = {}) {
    this.options = options;
    this.log = log;
    this.offline = serverless.processedInput?.commands?.[0] === 'offline';
    // Also a package made for the local stack or the template checks (ESBUILD_REUSE_BUNDLES=1, which they set):
    // it zips the same bundles; a deploy's package always builds everything.
    this.reuse = this.offline || process.env.ESBUILD_REUSE_BUNDLES === '1';
    // Plugins are constructed in the order serverless.yml lists them, serverless-esbuild first.
    const esbuildPlugin = serverless.pluginManager.plugins.find((p) => p.constructor.name === 'EsbuildServerlessPlugin');
    if (esbuildPlugin) this.wrap(esbuildPlugin);
  }

  wrap(esb) {
    const proto = Object.getPrototypeOf(esb);
    const originalBundle = esb.bundle;
    const pluginsOf = Object.getOwnPropertyDescriptor(proto, 'plugins')?.get;
    const functionEntriesOf = Object.getOwnPropertyDescriptor(proto, 'functionEntries')?.get;
    if (!pluginsOf || !functionEntriesOf || typeof originalBundle !== 'function') {
      this.log?.warning?.('esbuild-reuse: serverless-esbuild is not the version it knows; every start bundles everything');
      return;
    }
    // Every entry's build also reports what it read and wrote (esbuild honours option changes made in setup).
    const metafile = { name: 'bundle-inputs-metafile', setup: (build) => void (build.initialOptions.metafile = true) };
    Object.defineProperty(esb, 'plugins', { configurable: true, get: () => [...pluginsOf.call(esb), metafile] });

    let started = false;
    const build = async () => {
      // esbuild gives metafile paths relative to its working directory.
      const at = (file) => resolve(esb.buildOptions.absWorkingDir ?? process.cwd(), file);
      const all = [...new Set(esb.functionEntries.map(({ entry }) => entry))];
      const record = this.readRecord(esb);
      const digest = this.digest(esb);
      const hashes = new Map(); // input -> its fingerprint now, read once per build
      const stale = this.reuse ? all.filter((entry) => !this.isCurrent(record, digest, entry, hashes, at)) : all;
      const buildStart = Date.now();
      const first = !started;
      started = true;
      if (stale.length === all.length) {
        await originalBundle.call(esb);
      } else {
        esb.prepare();
        const previous = { ...esb.buildCache };
        if (stale.length > 0) {
          const staleSet = new Set(stale);
          const entries = functionEntriesOf.call(esb).filter(({ entry }) => staleSet.has(entry));
          // serverless-esbuild's bundle() builds the functions of `functionEntries`: only the stale ones.
          Object.defineProperty(esb, 'functionEntries', { configurable: true, get: () => entries });
          try {
            await originalBundle.call(esb);
          } finally {
            delete esb.functionEntries;
          }
        }
        // bundle() keeps what it built only: put back the others, whose bundles stay on disk.
        const cache = { ...previous, ...esb.buildCache };
        for (const entry of all) {
          cache[entry] ??= { entry, bundlePath: entry.slice(0, entry.lastIndexOf('.')) + esb.buildOptions.outputFileExtension };
        }
        esb.buildCache = cache;
        esb.buildResults = esb.functionEntries
          .filter(({ func }) => func !== null)
          .map(({ entry, func, functionAlias }) => ({ bundlePath: cache[entry].bundlePath, func, functionAlias }));
        const kept = all.length - stale.length;
        const folder = relative(esb.serviceDirPath, esb.buildDirPath);
        if (stale.length > 0) {
          this.log?.notice?.(`Rebuilt ${stale.length} bundle(s) (${stale.join(', ')}); ${kept} unchanged`);
        } else if (first) {
          this.log?.notice?.(`Reusing the ${kept} bundles in ${folder}: nothing they are made from changed`);
        } else {
          this.log?.verbose?.('No bundle is made from the changed files');
        }
      }
      if (!this.options.function) this.writeRecord(esb, record, digest, all, hashes, buildStart, at);
    };
    // One build at a time: the watcher calls bundle() on each change it sees, even during a build. A call
    // waits for the one before it, then builds what is still stale.
    // Under offline with skipRebuild (serverless.yml), once no build is waiting, the esbuild service is
    // stopped: it holds no contexts then, and the next build starts it again. Idle, it cost about 2% of a
    // core (its pings and upkeep), on a stack meant to cost ~0% at rest.
    const esbuild = createRequire(createRequire(import.meta.url).resolve('serverless-esbuild'))('esbuild');
    let queue = Promise.resolve();
    let waiting = 0;
    esb.bundle = () => {
      waiting++;
      const run = queue.then(build, build).finally(async () => {
        if (--waiting === 0 && this.offline && esb.buildOptions?.skipRebuild) await esbuild.stop();
      });
      queue = run.catch(() => undefined);
      return run;
    };
  }

  readRecord(esb) {
    try {
      const record = JSON.parse(readFileSync(join(esb.workDirPath, RECORD_FILE), 'utf8'));
      if (record.version === RECORD_VERSION) return record;
    } catch {
      // none yet, or unreadable: everything is stale
    }
    return { version: RECORD_VERSION, digest: '', files: [], entries: {} };
  }

  /** The resolved build options, the esbuild that runs them and the inputs esbuild does not list. */
  digest(esb) {
    const requireFromPlugin = createRequire(createRequire(import.meta.url).resolve('serverless-esbuild'));
    // What the watcher watches and the plugins' code make no bundle: the plugins by name.
    const buildOptions = { ...esb.buildOptions, plugins: undefined, watch: undefined };
    const hash = createHash('sha256').update(
      JSON.stringify({
        buildOptions,
        plugins: esb.plugins.map((plugin) => plugin.name),
        esbuild: requireFromPlugin('esbuild/package.json').version,
        buildDir: relative(esb.serviceDirPath, esb.buildDirPath),
      }),
    );
    for (const file of UNLISTED_INPUTS) hash.update(`\0${file}\0${hashFile(join(esb.serviceDirPath, file)) ?? ''}`);
    return hash.digest('hex');
  }

  isCurrent(record, digest, entry, hashes, at) {
    const stale = (why) => {
      this.log?.verbose?.(`Bundle of ${entry} is stale: ${why}`);
      return false;
    };
    const entryRecord = record.entries[entry];
    if (!entryRecord) return stale('not built before');
    if (record.digest !== digest) return stale('esbuild, its options, tsconfig.json or the package files changed');
    for (const index of entryRecord.inputs) {
      const [file, sha] = record.files[index];
      if (!hashes.has(file)) hashes.set(file, fingerprint(at, file));
      if (hashes.get(file) !== sha) return stale(file.endsWith('/') ? `a file was added to or removed from ${file}` : `${file} changed`);
    }
    for (const [file, size, mtimeMs] of entryRecord.outputs) {
      const stat = statSafe(at(file));
      if (stat?.size !== size || stat.mtimeMs !== mtimeMs) return stale(`${file} is not the file it wrote`);
    }
    return true;
  }

  writeRecord(esb, record, digest, all, hashes, buildStart, at) {
    const entries = new Map();
    if (record.digest === digest) {
      for (const [entry, { inputs, outputs }] of Object.entries(record.entries)) {
        entries.set(entry, { inputs: inputs.map((index) => record.files[index]), outputs });
      }
    }
    for (const entry of all) {
      const result = esb.buildCache[entry]?.result;
      if (!result?.metafile) continue; // kept from before: its record stands
      entries.delete(entry);
      const inputs = [];
      let changedDuringBuild = false;
      const read = Object.keys(result.metafile.inputs);
      // Its inputs, then their folders (written `folder/`).
      for (const file of [...read, ...new Set(read.map((input) => `${dirname(input)}/`))]) {
        // An input fingerprinted before the build is recorded as it was then: if it changed since, the
        // entry is stale next time. One fingerprinted only now may have changed after esbuild read it: if
        // it was modified since the build began, the entry stays unrecorded (rebuilt next time).
        if (!hashes.has(file)) {
          if ((statSafe(at(file))?.mtimeMs ?? 0) >= buildStart) changedDuringBuild = true;
          hashes.set(file, fingerprint(at, file));
        }
        const sha = hashes.get(file);
        if (sha) inputs.push([file, sha]); // not a file (a disabled module, a namespace): nothing to compare
      }
      const outputs = [];
      for (const file of Object.keys(result.metafile.outputs)) {
        const stat = statSafe(at(file));
        if (stat) outputs.push([file, stat.size, stat.mtimeMs]);
      }
      if (!changedDuringBuild) entries.set(entry, { inputs, outputs });
      // Recorded once: a later build that keeps this entry must not take this result for a new one.
      delete result.metafile;
    }
    // Written compactly: each input file and hash once, entries point at them.
    const files = [];
    const indexOf = new Map();
    const next = { version: RECORD_VERSION, digest, files, entries: {} };
    for (const [entry, { inputs, outputs }] of entries) {
      if (!all.includes(entry)) continue;
      next.entries[entry] = {
        inputs: inputs.map(([file, sha]) => {
          const key = `${file}\0${sha}`;
          if (!indexOf.has(key)) indexOf.set(key, files.push([file, sha]) - 1);
          return indexOf.get(key);
        }),
        outputs,
      };
    }
    const path = join(esb.workDirPath, RECORD_FILE);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, JSON.stringify(next));
    renameSync(`${path}.tmp`, path);
  }
}

// What an import can resolve to: folders, and files of the extensions esbuild tries (not an editor's
// swap or backup files, which come and go as one types).
const RESOLVABLE = /\.(?:[cm]?[jt]sx?|json)$/;

/** A file's contents, or the resolvable names in a folder (`folder/`), hashed; undefined if unreadable. */
function fingerprint(at, input) {
  if (!input.endsWith('/')) return hashFile(at(input));
  try {
    const names = readdirSync(at(input), { withFileTypes: true })
      .filter((dirent) => dirent.isDirectory() || dirent.isSymbolicLink() || RESOLVABLE.test(dirent.name))
      .map((dirent) => dirent.name)
      .sort();
    return createHash('sha256').update(names.join('\0')).digest('hex');
  } catch {
    return undefined;
  }
}

function hashFile(path) {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

function statSafe(path) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
