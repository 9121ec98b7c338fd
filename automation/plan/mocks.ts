// The offline runtime's mocks, split by concern: the fake cloud's values (fake-cloud.ts) and the
// monitor that records registrations (recording-monitor.ts). Kept for the component specs, which
// import PlanMocks, accountId and RecordedResource from here.
export { accountId, PlanMocks } from "./fake-cloud";
export { aliasUrn, RecordingMonitor, type RecordedResource } from "./recording-monitor";
