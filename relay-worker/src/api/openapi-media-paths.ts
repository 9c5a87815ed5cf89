const error = {
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
};

function mediaPath(kind: 'recordings' | 'voicemails', what: string, from: string) {
  return {
    get: {
      summary: `The audio of a ${what} (scope recordings:read, or a signed link), streamed from 3CX`,
      description: [
        `${from} The relay streams it without storing it; receivers never need 3CX credentials.`,
        'Authorise with an API key that has scope `recordings:read` (`Authorization: Bearer`), or use the signed link an event carries (`expires` and `sig`, valid until `expires`, Unix seconds; `MEDIA_LINK_TTL_HOURS`).',
        'One `Range: bytes=…` is honoured (206 with `Content-Range`, 416 past the end), also when 3CX sends the whole file.',
      ].join('\n\n'),
      security: [{ apiKey: [] }, {}],
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{1,10}$' } },
        {
          name: 'expires',
          in: 'query',
          schema: { type: 'string' },
          description: 'Signed link: expiry, Unix seconds',
        },
        { name: 'sig', in: 'query', schema: { type: 'string' }, description: 'Signed link: signature' },
        { name: 'Range', in: 'header', schema: { type: 'string', example: 'bytes=0-65535' } },
      ],
      responses: {
        200: {
          description: 'The whole file',
          content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } },
        },
        206: {
          description: 'The range asked for',
          content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } },
        },
        401: { description: 'Missing or invalid API key', ...error },
        403: { description: 'Missing scope, or an invalid or expired link', ...error },
        404: { description: `No such ${what}`, ...error },
        416: { description: 'Range past the end (Content-Range: bytes */size)' },
        502: { description: 'PBX error (e.g. the API client lacks the System Owner role)', ...error },
        503: { description: 'Not configured', ...error },
      },
    },
  };
}

/** `/relay/recordings/{id}` and `/relay/voicemails/{id}`. */
export function mediaPaths() {
  return {
    '/relay/recordings/{id}': mediaPath(
      'recordings',
      'call recording',
      'From XAPI `Recordings/Pbx.DownloadRecording(recId={id})`; `id` is the `recordingId` of `call.recording_ready`.',
    ),
    '/relay/voicemails/{id}': mediaPath(
      'voicemails',
      'voicemail message',
      'The message file of `s_voicemail` row `id` (the `voicemailId` of `voicemail.received`).',
    ),
  };
}
