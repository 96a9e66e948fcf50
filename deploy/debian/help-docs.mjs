// Man pages and bash completion made from the commands' own --help, so the two cannot drift from
// the code: `ballast(1)` lists the commands, `ballast-CMD(1)` holds CMD's help and every
// subcommand's. The help text is the reference; the docs/*.md beside it explain.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);

/** One command's --help, split into usage, description, sections (entries of term + text) and the text after. */
export function parseHelp(text) {
  const lines = text.replace(/\n+$/, '').split('\n');
  const usage = lines[0].replace(/^Usage: /, '');
  const out = { usage, description: [], sections: {}, after: [] };
  let section = null;
  let entry = null;
  let afterSections = false;
  for (const line of lines.slice(1)) {
    const head = line.match(/^(\w[\w ]*):$/);
    if (head && !afterSections) {
      section = out.sections[head[1]] = [];
      continue;
    }
    if (section && !afterSections) {
      const m = line.match(/^ {2}(\S.*?)(?: {2,}(.*))?$/);
      if (m) {
        entry = { term: m[1], text: m[2] ?? '' };
        section.push(entry);
        continue;
      }
      if (/^ {3,}\S/.test(line) && entry) {
        entry.text = `${entry.text} ${line.trim()}`.trim();
        continue;
      }
      if (line === '') continue;
      afterSections = true;
    }
    if (!section) out.description.push(line);
    else out.after.push(line);
  }
  out.description = out.description.join('\n').trim();
  out.after = out.after.join('\n').trim();
  return out;
}

/** The whole command tree: each node is [path, parsed help], depth first (siblings asked in parallel). */
export async function helpTree(mainJs, path = []) {
  const { stdout } = await run(process.execPath, [mainJs, ...path, '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const help = parseHelp(stdout);
  const subs = (help.sections.Commands ?? []).map((e) => e.term.split(' ')[0]).filter((n) => n !== 'help');
  const below = await Promise.all(subs.map((s) => helpTree(mainJs, [...path, s])));
  return [[path, help], ...below.flat()];
}

const roff = (s) => s.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');

function manPage(name, tree, date, version) {
  const [, top] = tree[0];
  const out = [`.TH ${name.toUpperCase()} 1 "${date}" "ballast ${version}" "ballast"`, '.SH NAME', `${roff(name)} \\- ${roff(top.description.split('\n').join(' '))}`];
  for (const [i, [path, h]] of tree.entries()) {
    out.push(i === 0 ? '.SH SYNOPSIS' : `.SH "${roff(['ballast', ...path].join(' ').toUpperCase())}"`, `.B ${roff(h.usage)}`);
    if (i > 0 && h.description) out.push('.PP', roff(h.description));
    if (i === 0 && h.description) out.push('.SH DESCRIPTION', roff(h.description));
    for (const [title, entries] of Object.entries(h.sections)) {
      out.push(`.SS ${title}`);
      for (const e of entries) out.push('.TP', `.B ${roff(e.term)}`, roff(e.text || ' '));
    }
    if (h.after) out.push('.PP', roff(h.after).replace(/\n/g, '\n.br\n'));
  }
  out.push('.SH SEE ALSO', 'ballast(1), /usr/share/doc/ballast-common/docs/ (the design and every config key)');
  return `${out.join('\n')}\n`;
}

function completion(tree) {
  const cases = tree.map(([path, h]) => {
    const subs = (h.sections.Commands ?? []).map((e) => e.term.split(' ')[0]);
    const opts = (h.sections.Options ?? []).flatMap((e) => e.term.split(/,\s*/).map((f) => f.split(' ')[0]));
    return `    "${path.join(' ')}") subs="${subs.join(' ')}"; opts="${opts.join(' ')}" ;;`;
  });
  return `# bash completion for ballast, generated from its --help (deploy/debian/help-docs.mjs)
_ballast() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path="" subs opts w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    _ballast_words "$path"
    case " $subs " in *" $w "*) path="\${path:+$path }$w" ;; esac
  done
  _ballast_words "$path"
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  fi
}
_ballast_words() {
  case "$1" in
${cases.join('\n')}
    *) subs=""; opts="" ;;
  esac
}
complete -o default -F _ballast ballast
`;
}

/** Write usr/share/man/man1/ballast*.1.gz and usr/share/bash-completion/completions/ballast under `share`. */
export async function writeHelpDocs(mainJs, share, { version = '', date = new Date().toISOString().slice(0, 10) } = {}) {
  const tree = await helpTree(mainJs);
  const man = join(share, 'man/man1');
  mkdirSync(man, { recursive: true });
  const pages = [['ballast', tree.filter(([p]) => p.length === 0)]];
  for (const [path] of tree.filter(([p]) => p.length === 1)) pages.push([`ballast-${path[0]}`, tree.filter(([p]) => p[0] === path[0])]);
  for (const [name, nodes] of pages) writeFileSync(join(man, `${name}.1.gz`), gzipSync(manPage(name, nodes, date, version), { level: 9 }));
  mkdirSync(join(share, 'bash-completion/completions'), { recursive: true });
  writeFileSync(join(share, 'bash-completion/completions/ballast'), completion(tree));
  return pages.map(([n]) => n);
}
