/** The output folder was refused or could not be written; the message says what, if anything, changed. */
export class PublishError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublishError';
  }
}
