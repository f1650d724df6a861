/** What the jobs queue carries: only the id, the row is the truth. */
export interface JobMessage {
  jobId: string;
}

/** What the dead-letter queue carries; `attempt` is absent when the platform dead-lettered a crash-looping message. */
export interface DeadLetterMessage {
  jobId: string;
  attempt?: number;
  error?: string;
}

/** Whether a message body names a job, as both queues' messages do. */
export function namesJob(body: unknown): body is { jobId: string } {
  return typeof body === 'object' && body !== null && typeof (body as { jobId?: unknown }).jobId === 'string';
}
