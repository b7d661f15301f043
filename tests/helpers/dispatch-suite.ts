/**
 * The fixture every dispatch suite shares: a recording handler and an in-memory Tasklight with
 * dispatch on (limits lifted unless the settings say otherwise), started before the suite's tests
 * and closed after them.
 */
import { after, before } from 'node:test';
import type { Engine } from '../../src/main/core/engine';
import type { EngineSettings } from '../../src/main/core/settings';
import { startHandler, type HandlerOptions, type RecordingHandler } from './handler';
import { startTasklight, type Tasklight, type V2Client } from './tasklight';

export interface DispatchSuiteOptions {
  handler?: HandlerOptions;
  /** Stamp arrivals with Tasklight's clock (for comparing them with schedule times). */
  arrivalsOnEngineClock?: boolean;
  /** Engine settings on top of `dispatch: true, liftLimits: true`; may depend on the handler's URL. */
  settings?: Partial<EngineSettings> | ((handler: RecordingHandler) => Partial<EngineSettings>);
}

export interface DispatchSuite {
  readonly tl: Tasklight;
  readonly h: RecordingHandler;
  client(): V2Client;
  engine(): Engine;
}

export function useDispatchSuite(options: DispatchSuiteOptions = {}): DispatchSuite {
  let tl: Tasklight;
  let h: RecordingHandler;
  before(async () => {
    const now = options.arrivalsOnEngineClock ? { now: () => tl.server.engine.clock.nowUs() } : {};
    h = await startHandler({ ...now, ...options.handler });
    const extra = typeof options.settings === 'function' ? options.settings(h) : options.settings;
    tl = await startTasklight({ settings: { dispatch: true, liftLimits: true, ...extra } });
  });
  after(async () => {
    await tl?.close();
    await h?.close();
  });
  return {
    get tl() {
      return tl;
    },
    get h() {
      return h;
    },
    client: () => tl.client('grpc'),
    engine: () => tl.server.engine,
  };
}
