/** Channel NOTIFYed after each append, payload = the highest new sequence. */
export const NEW_EVENTS_CHANNEL = 'relay_new_events';
