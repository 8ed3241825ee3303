/**
 * The demo data `npm run seed` loads. Everything is keyed by something deterministic (an email,
 * a concert or article title, a room name, a message's author and text), which is how a second
 * run finds what exists. Dates are relative to the day the seed runs.
 */
import { createHash } from 'node:crypto';

export const DEMO_PASSWORD = 'stagelives demo';
export const ADMIN = { email: 'admin@stagelives.dev', nickname: 'stagelives_admin' };

export const FANS = ['hana', 'minjun', 'yuki', 'sora', 'jiwoo', 'haruto', 'seoyeon', 'ren', 'daeun', 'mei'].map((nickname, i) => ({
  email: `fan${i + 1}@stagelives.dev`,
  nickname,
}));

type Venue = readonly [city: 'Seoul' | 'Tokyo', name: string];
const SEOUL = {
  kspo: ['Seoul', 'KSPO Dome'],
  gocheok: ['Seoul', 'Gocheok Sky Dome'],
  olympicHall: ['Seoul', 'Olympic Hall'],
  jangchung: ['Seoul', 'Jangchung Arena'],
  yes24: ['Seoul', 'YES24 Live Hall'],
  blueSquare: ['Seoul', 'Blue Square Mastercard Hall'],
} as const satisfies Record<string, Venue>;
const TOKYO = {
  dome: ['Tokyo', 'Tokyo Dome'],
  budokan: ['Tokyo', 'Nippon Budokan'],
  saitama: ['Tokyo', 'Saitama Super Arena'],
  ariake: ['Tokyo', 'Ariake Arena'],
  zepp: ['Tokyo', 'Zepp Haneda'],
  kArena: ['Tokyo', 'K-Arena Yokohama'],
} as const satisfies Record<string, Venue>;

interface Tour {
  artist: string;
  tour: string;
  description: string;
  /** Days from today of each show, with its venue; negative: already played. */
  shows: Array<readonly [days: number, venue: Venue]>;
  /** Local start hour (KST and JST are both UTC+9). */
  hour: number;
  /** Days before the first show that tickets open (only for shows more than that far away). */
  ticketLeadDays?: number;
  songs: string[];
}

const TOURS: Tour[] = [
  {
    artist: 'IU',
    tour: 'H.E.R. Encore',
    description: 'Three nights of the songs from the last decade, with a string section.',
    hour: 18,
    ticketLeadDays: 21,
    shows: [
      [-12, SEOUL.kspo],
      [-11, SEOUL.kspo],
      [48, TOKYO.dome],
    ],
    songs: ['Love wins all', 'Blueming', 'Palette', 'Through the Night', 'Celebrity', 'LILAC', 'Good Day', 'strawberry moon', 'Eight', 'Holssi'],
  },
  {
    artist: 'SEVENTEEN',
    tour: 'Right Here',
    description: 'The thirteen members on a stage in the round.',
    hour: 18,
    ticketLeadDays: 30,
    shows: [
      [35, SEOUL.gocheok],
      [36, SEOUL.gocheok],
      [62, TOKYO.dome],
    ],
    songs: ['MAESTRO', 'Super', 'God of Music', 'HOT', 'Very Nice', 'Don Quixote', 'CLAP', 'Pretty U', 'Left & Right'],
  },
  {
    artist: 'aespa',
    tour: 'SYNK: Parallel Line',
    description: 'A virtual-meets-real production with the full band.',
    hour: 19,
    ticketLeadDays: 14,
    shows: [
      [21, SEOUL.kspo],
      [70, TOKYO.saitama],
    ],
    songs: ['Supernova', 'Armageddon', 'Next Level', 'Savage', 'Drama', 'Spicy', 'Black Mamba', 'Whiplash'],
  },
  {
    artist: 'Stray Kids',
    tour: 'dominATE',
    description: 'Stadium show with pyrotechnics; standing and seated sections.',
    hour: 18,
    ticketLeadDays: 28,
    shows: [
      [-5, SEOUL.gocheok],
      [90, TOKYO.kArena],
      [91, TOKYO.kArena],
    ],
    songs: ['Chk Chk Boom', 'LALALALA', 'S-Class', 'MANIAC', "God's Menu", 'Back Door', 'Thunderous', 'CASE 143'],
  },
  {
    artist: 'LE SSERAFIM',
    tour: 'Flame Rises',
    description: 'First arena tour, with the dance break versions.',
    hour: 19,
    shows: [
      [14, SEOUL.jangchung],
      [15, SEOUL.jangchung],
    ],
    songs: ['ANTIFRAGILE', 'UNFORGIVEN', 'EASY', 'Perfect Night', 'CRAZY', 'FEARLESS', 'Smart'],
  },
  {
    artist: 'DAY6',
    tour: 'Forever Young',
    description: 'Band live: the whole discography, fan-chosen encores.',
    hour: 18,
    ticketLeadDays: 10,
    shows: [
      [28, SEOUL.olympicHall],
      [29, SEOUL.olympicHall],
      [55, TOKYO.budokan],
    ],
    songs: ['Welcome to the Show', 'Zombie', 'You Were Beautiful', 'Time of Our Life', 'HAPPY', 'Congratulations', 'I Loved You', 'Melt Down'],
  },
  {
    artist: 'The Rose',
    tour: 'Dawn to Dusk',
    description: 'An acoustic first half and a loud second one.',
    hour: 20,
    shows: [
      [40, SEOUL.yes24],
      [44, TOKYO.zepp],
    ],
    songs: ['Sorry', "She's In The Rain", 'Back To Me', 'Alive', 'Red', 'Definition Of Ugly', 'Wonder'],
  },
  {
    artist: 'YOASOBI',
    tour: 'Dome Live',
    description: 'The duo and their band, with the full visual show.',
    hour: 18,
    ticketLeadDays: 35,
    shows: [
      [-20, TOKYO.saitama],
      [77, TOKYO.dome],
      [84, SEOUL.kspo],
    ],
    songs: ['Idol', 'Yoru ni Kakeru', 'Gunjou', 'Kaibutsu', 'Tabun', 'Shukufuku', 'Into the Night', 'Biri-Biri'],
  },
  {
    artist: 'Ado',
    tour: 'Hibana',
    description: 'Behind the screen, as always: an arena-sized voice.',
    hour: 18,
    ticketLeadDays: 21,
    shows: [
      [33, TOKYO.ariake],
      [34, TOKYO.ariake],
    ],
    songs: ['Usseewa', 'Show', 'New Genesis', 'Odo', 'Backlight', 'Gira Gira', 'Kura Kura', 'Readymade'],
  },
  {
    artist: 'King Gnu',
    tour: 'CEREMONY Reprise',
    description: 'Four musicians, one very long encore.',
    hour: 19,
    ticketLeadDays: 20,
    shows: [
      [50, TOKYO.budokan],
      [51, TOKYO.budokan],
      [65, SEOUL.blueSquare],
    ],
    songs: ['Hakujitsu', 'SPECIALZ', 'Ichizu', 'Sakayume', 'Teenager Forever', 'Prayer X', 'Slumberland', 'Kaikai Kitan'],
  },
  {
    artist: 'ONE OK ROCK',
    tour: 'Detox',
    description: 'The rock night of the season: loud, long, no seats on the floor.',
    hour: 18,
    ticketLeadDays: 42,
    shows: [
      [7, TOKYO.kArena],
      [100, SEOUL.gocheok],
    ],
    songs: ['The Beginning', 'Wherever you are', 'We are', 'Renegades', 'Mighty Long Fall', 'Clock Strikes', 'Save Yourself', 'Stand Out Fit In'],
  },
  {
    artist: 'Official HIGE DANdism',
    tour: 'Rejoice',
    description: 'Piano pop with a horn section.',
    hour: 18,
    ticketLeadDays: 30,
    shows: [
      [58, TOKYO.saitama],
      [59, TOKYO.saitama],
    ],
    songs: ['Pretender', 'Subtitle', 'Mixed Nuts', 'Cry Baby', 'I LOVE...', 'Shukumei', 'Universe'],
  },
  {
    artist: 'NewJeans',
    tour: 'Bunnies Camp',
    description: 'Fan meeting and live stage; lightsticks welcome.',
    hour: 17,
    ticketLeadDays: 14,
    shows: [
      [24, TOKYO.dome],
      [110, SEOUL.kspo],
    ],
    songs: ['Ditto', 'OMG', 'Hype Boy', 'Super Shy', 'ETA', 'How Sweet', 'Supernatural', 'Attention'],
  },
];

interface ConcertSeed {
  title: string;
  description: string;
  artist: string;
  venue: string;
  startsAt: string;
  endsAt: string;
  ticketOpenAt: string | null;
  posterUrl: string;
  /** Songs and playlist links, when the concert has a setlist. */
  setlist: { songs: Array<{ title: string; artist: string }>; playlistUrls: string[] } | null;
}

const hex = (text: string) => createHash('sha256').update(text).digest('hex');
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const DAY = 86_400_000;

/** The concerts, dated from `now`: shows of one tour in one city are "Day 1", "Day 2". */
export function concerts(now = new Date()): ConcertSeed[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const out: ConcertSeed[] = [];
  for (const t of TOURS) {
    const firstFuture = Math.min(...t.shows.map(([d]) => d).filter((d) => d > 0));
    for (const [days, [city, venue]] of t.shows) {
      const sameCity = t.shows.filter(([, v]) => v[0] === city);
      const day = sameCity.length > 1 ? ` Day ${sameCity.findIndex(([d]) => d === days) + 1}` : '';
      const startsAt = new Date(today + days * DAY + (t.hour - 9) * 3_600_000);
      const ticketOpen = t.ticketLeadDays && days > t.ticketLeadDays ? new Date(today + (firstFuture - t.ticketLeadDays) * DAY + 11 * 3_600_000) : null;
      const songs = t.songs.map((title) => ({ title, artist: t.artist }));
      const h = hex(t.artist);
      out.push({
        title: `${t.artist} ${t.tour} in ${city}${day}`,
        description: t.description,
        artist: t.artist,
        venue,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3 * 3_600_000).toISOString(),
        ticketOpenAt: ticketOpen && ticketOpen < startsAt ? ticketOpen.toISOString() : null,
        posterUrl: `https://cdn.stagelives.dev/posters/${slug(`${t.artist} ${t.tour}`)}.jpg`,
        // Played shows have their setlist; the next show of most tours has the expected one.
        setlist:
          days < 0 || days === firstFuture
            ? { songs, playlistUrls: [`https://music.youtube.com/playlist?list=PL${h.slice(0, 32)}`, `https://open.spotify.com/playlist/${h.slice(32, 54)}`] }
            : null,
      });
    }
  }
  return out;
}

interface ArticleSeed {
  title: string;
  body: string;
  tags: string[];
  /** Index into FANS. */
  author: number;
  /** The concert's title (see concerts()), or null for a general article. */
  concert: string | null;
  comments: Array<{ author: number; body: string }>;
}

export const ARTICLES: ArticleSeed[] = [
  {
    title: 'IU at KSPO Dome: the string section made Through the Night',
    author: 0,
    concert: 'IU H.E.R. Encore in Seoul Day 1',
    tags: ['review', 'iu'],
    body: '<p>Night one was everything. The strings came in on <b>Through the Night</b> and the whole dome went quiet.</p><p>Encore: three songs, and she stayed for the wave.</p>',
    comments: [
      { author: 2, body: 'Same here, I cried at Eight.' },
      { author: 4, body: 'Was the sound OK in the upper ring?' },
      { author: 0, body: 'Upper ring was fine, a little bass-heavy.' },
    ],
  },
  {
    title: 'Night two vs night one: what changed in the IU setlist',
    author: 6,
    concert: 'IU H.E.R. Encore in Seoul Day 2',
    tags: ['setlist', 'iu'],
    body: '<p>Same main set, but the encore swapped <i>Holssi</i> for <i>Good Day</i> with the three-note climb. Worth the second ticket.</p>',
    comments: [{ author: 0, body: 'I knew it! Night two had the better encore.' }],
  },
  {
    title: 'Stray Kids dominATE Seoul: pyro, rain and Chk Chk Boom',
    author: 1,
    concert: 'Stray Kids dominATE in Seoul',
    tags: ['review', 'straykids'],
    body: '<p>Gocheok shook. The pyro on <b>Chk Chk Boom</b> was so hot you felt it on the floor.</p><ul><li>Best moment: MANIAC</li><li>Merch line: 2 hours</li></ul>',
    comments: [
      { author: 3, body: 'The merch line was brutal, go early next time.' },
      { author: 8, body: 'Floor section C had the best view.' },
    ],
  },
  {
    title: 'YOASOBI Saitama: the visuals deserve their own review',
    author: 5,
    concert: 'YOASOBI Dome Live in Tokyo Day 1',
    tags: ['review', 'yoasobi', 'jpop'],
    body: '<p>Every song had its own animated story on the LED wall. <b>Idol</b> closing the main set was the right call.</p>',
    comments: [
      { author: 9, body: 'Going to the Tokyo Dome show, no spoilers for the encore please!' },
      { author: 7, body: "Ikura's voice live is unreal." },
    ],
  },
  {
    title: 'Ticketing tips for the SEVENTEEN Gocheok shows',
    author: 3,
    concert: 'SEVENTEEN Right Here in Seoul Day 1',
    tags: ['tickets', 'tips'],
    body: '<p>Tickets open at 20:00 KST. Log in ten minutes before, have your payment saved, and do not refresh the queue page.</p>',
    comments: [
      { author: 1, body: 'Also: one device per account, they cancel duplicates.' },
      { author: 6, body: 'Thank you, saving this.' },
    ],
  },
  {
    title: 'First time at the Budokan? A guide for the King Gnu nights',
    author: 7,
    concert: 'King Gnu CEREMONY Reprise in Tokyo Day 1',
    tags: ['guide', 'venue', 'jrock'],
    body: '<p>Kudanshita station, exit 2. Arrive an hour early: the stairs are steep and the queue for the lockers is long.</p>',
    comments: [{ author: 5, body: 'The 2nd floor east side has a great angle on the drums.' }],
  },
  {
    title: 'DAY6 at Olympic Hall: which songs do you want in the encore?',
    author: 8,
    concert: 'DAY6 Forever Young in Seoul Day 1',
    tags: ['poll', 'day6', 'band'],
    body: '<p>They let fans choose the encore. My vote: <i>Time of Our Life</i>, then <i>Zombie</i>. Yours?</p>',
    comments: [
      { author: 2, body: 'Congratulations, always.' },
      { author: 4, body: 'I Loved You, please!' },
      { author: 0, body: 'HAPPY for the sing-along.' },
    ],
  },
  {
    title: 'ONE OK ROCK Detox at K-Arena: earplugs recommended',
    author: 9,
    concert: 'ONE OK ROCK Detox in Tokyo',
    tags: ['tips', 'rock'],
    body: '<p>It is a rock show, the floor is standing only, and it gets loud. Bring earplugs, leave the big bag at home.</p>',
    comments: [{ author: 3, body: 'Good call, my ears rang for two days last tour.' }],
  },
  {
    title: 'aespa SYNK: what we know about the Seoul production',
    author: 2,
    concert: 'aespa SYNK: Parallel Line in Seoul',
    tags: ['news', 'aespa'],
    body: '<p>A live band, a new stage for <b>Whiplash</b>, and the AR screens are back.</p>',
    comments: [{ author: 1, body: 'Supernova live with a band, finally.' }],
  },
  {
    title: 'Seoul or Tokyo: where to see your favourite act this season',
    author: 4,
    concert: null,
    tags: ['guide', 'travel'],
    body: '<p>Tokyo domes sell out faster, Seoul arenas are smaller and closer to the stage. A few tips for travelling fans.</p>',
    comments: [
      { author: 7, body: 'Tokyo hotels near the venue book up months ahead.' },
      { author: 9, body: 'Seoul subway runs late after the KSPO shows.' },
    ],
  },
  {
    title: 'My lightstick collection, ranked',
    author: 6,
    concert: null,
    tags: ['fun', 'merch'],
    body: '<p>Seven lightsticks, one shelf. The Carat bong still wins on brightness.</p>',
    comments: [{ author: 8, body: 'Where is the Stray Kids one on this list?' }],
  },
  {
    title: 'Ado at Ariake Arena: a voice from behind the screen',
    author: 5,
    concert: 'Ado Hibana in Tokyo Day 1',
    tags: ['preview', 'ado', 'jpop'],
    body: '<p>Two nights at Ariake. Expect <b>Show</b> and <b>Usseewa</b>, and probably a new song or two.</p>',
    comments: [{ author: 9, body: 'Won the lottery for day two!' }],
  },
];

interface RoomSeed {
  name: string;
  /** The concert's title when it is that concert's room. */
  concert: string | null;
  /** Index into FANS of the creator; members are the creator and `members`. */
  creator: number;
  members: number[];
  /** In order: [author index, body]. */
  messages: Array<readonly [number, string]>;
}

export const ROOMS: RoomSeed[] = [
  {
    name: 'K-pop lounge',
    concert: null,
    creator: 1,
    members: [0, 2, 3, 4, 6, 8],
    messages: [
      [1, 'Welcome! Who is going to Gocheok this season?'],
      [3, 'SEVENTEEN day 1, section 12'],
      [0, 'IU Tokyo Dome for me'],
      [6, 'Still trying for DAY6 tickets…'],
      [2, 'aespa in Seoul!'],
    ],
  },
  {
    name: 'J-pop & J-rock',
    concert: null,
    creator: 5,
    members: [7, 9, 0],
    messages: [
      [5, 'YOASOBI was amazing last month'],
      [7, 'King Gnu at the Budokan next'],
      [9, 'Ado day two, see you there'],
    ],
  },
  {
    name: 'Ticketing help',
    concert: null,
    creator: 3,
    members: [1, 4, 6, 9],
    messages: [
      [4, 'Does anyone know if the queue resets when you refresh?'],
      [3, 'It does, never refresh.'],
      [9, 'Lottery results for Ado come out on Friday.'],
    ],
  },
  {
    name: 'IU Tokyo Dome fans',
    concert: 'IU H.E.R. Encore in Tokyo',
    creator: 0,
    members: [2, 6],
    messages: [
      [0, 'Meet at Suidobashi station before the show?'],
      [2, 'Yes! 15:00 at the west exit'],
      [6, 'Bringing the fan banners'],
    ],
  },
  {
    name: 'SEVENTEEN Gocheok Day 1',
    concert: 'SEVENTEEN Right Here in Seoul Day 1',
    creator: 3,
    members: [1, 4],
    messages: [
      [3, 'Tickets secured!'],
      [1, 'Which section?'],
      [3, 'Floor B, row 20'],
    ],
  },
  {
    name: 'aespa SYNK Seoul',
    concert: 'aespa SYNK: Parallel Line in Seoul',
    creator: 2,
    members: [1, 8],
    messages: [
      [2, 'The AR stage is going to be wild'],
      [8, 'Whiplash live!'],
    ],
  },
  {
    name: 'DAY6 Olympic Hall',
    concert: 'DAY6 Forever Young in Seoul Day 1',
    creator: 8,
    members: [2, 4, 0],
    messages: [
      [8, 'Vote for the encore in the article!'],
      [4, 'Done, I Loved You all the way'],
      [0, 'HAPPY gang'],
    ],
  },
  {
    name: 'ONE OK ROCK Yokohama',
    concert: 'ONE OK ROCK Detox in Tokyo',
    creator: 9,
    members: [3, 7],
    messages: [
      [9, 'Earplugs, people'],
      [7, 'Floor is standing only, right?'],
      [9, 'Yes, doors at 16:30'],
    ],
  },
  {
    name: 'YOASOBI Tokyo Dome',
    concert: 'YOASOBI Dome Live in Tokyo Day 2',
    creator: 5,
    members: [9],
    messages: [
      [5, 'Anyone from the Saitama show here too?'],
      [9, 'Me! Doing both.'],
    ],
  },
  {
    name: 'Stray Kids Yokohama',
    concert: 'Stray Kids dominATE in Tokyo Day 1',
    creator: 1,
    members: [3, 8],
    messages: [
      [1, 'Day 1 or day 2?'],
      [8, 'Both if the lottery loves me'],
    ],
  },
];

/** Which fans like which concerts and articles, and bookmark which articles: a fixed pattern. */
export const likesConcert = (fan: number, concert: number) => (fan * 7 + concert * 3) % 5 === 0;
export const likesArticle = (fan: number, article: number) => (fan + article * 2) % 3 === 0;
export const bookmarksArticle = (fan: number, article: number) => (fan * 3 + article) % 4 === 1;
