/**
 * The evidence view's entry point (bundled by src/evidence/build.ts). Reads the page configuration the service
 * embedded, gets the patient's data (./source.ts), runs the engine and renders. `html[data-state]` says where
 * it is (`loading`, `ready`, `error`); the `hlh-evidence-rendered` performance mark times the first render.
 */
import { CONFIG_ELEMENT_ID, DATA_ELEMENT_ID } from '../page-ids';
import { fill } from '../../render/format';
import { evidenceView } from '../view';
import type { PageConfig } from '../view/types';
import { h } from './dom';
import { renderView } from './render';
import { resolveSource } from './source';

function jsonBlock(id: string): unknown {
  const el = document.getElementById(id);
  return el ? (JSON.parse(el.textContent ?? 'null') as unknown) : undefined;
}

async function boot(): Promise<void> {
  const root = document.getElementById('hlh-evidence')!;
  const status = (text: string) => root.replaceChildren(h('p', { class: 'status', role: 'status' }, text));
  let config: PageConfig | undefined;
  try {
    config = jsonBlock(CONFIG_ELEMENT_ID) as PageConfig;
    const resolution = await resolveSource(config, window.location.href, jsonBlock(DATA_ELEMENT_ID), status);
    if (resolution.kind === 'redirecting') return;
    status(config.evidence.status.assessing);
    const { view } = evidenceView(config, resolution.source);
    renderView(root, view, config.evidence);
    document.title = `${config.evidence.title} · ${view.summary ?? view.noCard ?? ''}`;
    performance.mark('hlh-evidence-rendered');
    document.documentElement.dataset.state = 'ready';
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const text = config ? fill(config.evidence.status.failed, { message }) : message;
    root.replaceChildren(h('p', { class: 'status error', role: 'alert' }, text));
    document.documentElement.dataset.state = 'error';
  }
}

void boot();
