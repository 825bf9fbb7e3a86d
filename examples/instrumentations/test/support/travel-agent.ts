import { z } from 'zod';

/** What the user asks the travel agent of the AI SDK stories: the model asks for both tools. */
export const TRAVEL_PROMPT = 'Weather in Paris, and book me a flight to Oslo';

/**
 * The travel agent's two tools, in the shape every AI SDK major takes: one answers, one throws.
 * Plain objects rather than each SDK's `tool()`, which only types its argument, so that AI SDK 6
 * and 7 run the very same tools.
 */
export const travelTools = {
  get_weather: {
    description: 'Weather for a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }: { city: string }) => ({ city, conditions: 'sunny' }),
  },
  book_flight: {
    description: 'Books a flight',
    inputSchema: z.object({ to: z.string() }),
    execute: async (_booking: { to: string }): Promise<string> => {
      throw new Error('no seats left');
    },
  },
};
