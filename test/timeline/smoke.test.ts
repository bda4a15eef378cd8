import { defaultKnowledge } from '../../src/knowledge';
import { buildTimeline } from '../../src/timeline';
import { obs, patient, qty } from './fixtures';

test('builds a timeline from a minimal prefetch', () => {
  const t = buildTimeline([patient, obs('fib', '3255-7', qty(1.2, 'g/L', 'g/L'))], defaultKnowledge, { patientId: 'p1' });
  expect(t.labs.fibrinogen?.[0]?.value).toBe(120);
  expect(t.patient).toEqual({ id: 'p1', birthDate: '1961-04-02', gender: 'female' });
});
