import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../functions/core/catalog.ts';
import { REGENERATE_COMMAND, renderCatalogMarkdown } from '../../functions/core/catalog-doc.ts';
import { LANGUAGES } from '../../functions/core/config.ts';

const DOC = new URL('../../docs/kpis.md', import.meta.url);

describe('docs/kpis.md', () => {
  it(`is up to date (regenerate with \`${REGENERATE_COMMAND}\`)`, () => {
    const committed = readFileSync(DOC, 'utf8');
    expect(committed, `docs/kpis.md is stale: run ${REGENERATE_COMMAND}`).toBe(renderCatalogMarkdown());
  });
});

describe('renderCatalogMarkdown', () => {
  const md = renderCatalogMarkdown();

  it('says it is generated and how to regenerate it', () => {
    expect(md).toContain('GENERATED FILE');
    expect(md).toContain(REGENERATE_COMMAND);
  });

  it('has a section with every name, the definition and the seed of every KPI', () => {
    for (const k of CATALOG) {
      expect(md).toContain(`### \`${k.id}\``);
      expect(md).toContain(`| seed | ${k.seed.replace(/\|/g, '\\|')} |`);
      expect(md).toContain(`| definition | ${k.definition.replace(/\|/g, '\\|')} |`);
      for (const lang of LANGUAGES) expect(md).toContain(`| name (${lang}) | ${k.names[lang]} |`);
    }
  });

  it('is deterministic and ends with one newline', () => {
    expect(renderCatalogMarkdown()).toBe(md);
    expect(md.endsWith('\n')).toBe(true);
    expect(md.endsWith('\n\n')).toBe(false);
  });
});
