/**
 * The small PBX the simulator runs: extensions, API route points, a ring group, a queue,
 * an IVR and one SIP trunk with DIDs. Numbers follow the captures in the reference
 * (trunk DN `10007`, extensions in the 100 range).
 */

/**
 * Call Control DN `type` strings. `Wringgroup` is [INFERRED]: ring groups are never monitorable.
 * `Wspecialmenu` is voicemail and the other special menus ([FIELD] PHP auto-dialler capture).
 */
export type DnType =
  'Wextension' | 'Wroutepoint' | 'Wqueue' | 'Wivr' | 'Wexternalline' | 'Wringgroup' | 'Wspecialmenu';

/** One DN of the PBX with its names in every surface (Call Control, cdroutput, legacy tables). */
export interface DnEntry {
  number: string;
  name: string;
  type: DnType;
  /** `cdroutput.*_entity_type` value. */
  entityType: string;
  /** `cdroutput.*_dn_type` value. */
  cdrDnType: string;
  /** `cl_party_info.dn_type` code ([SECONDARY] for 0/1/2; others [INFERRED]). */
  legacyDnType: number;
}

/** A DID on the trunk and the label 3CX puts into inbound CDR name fields. */
export interface Did {
  number: string;
  label: string;
}

export interface PbxDirectory {
  extensions: DnEntry[];
  routePoints: DnEntry[];
  ringGroup: DnEntry & { members: string[] };
  queue: DnEntry & { agents: string[] };
  ivr: DnEntry;
  trunk: DnEntry;
  /** The voicemail special menu: callers reach a mailbox through it (`party_dn` "666" in the capture). */
  specialMenu: DnEntry;
  dids: Did[];
  /** A DN by number, or undefined. */
  find(number: string): DnEntry | undefined;
  /** The DNs of these numbers, in order; unknown numbers are skipped. */
  findAll(numbers: string[]): DnEntry[];
}

const ext = (number: string, name: string): DnEntry => ({
  number,
  name,
  type: 'Wextension',
  entityType: 'extension',
  cdrDnType: 'extension',
  legacyDnType: 0,
});

const FIRST = ['Hanna', 'Ivo', 'Jana', 'Karl', 'Lena', 'Milo', 'Nora', 'Otto', 'Paula', 'Rudi'];
const LAST = ['Huber', 'Ilic', 'Jung', 'Kraus', 'Lang', 'Moser', 'Nagel', 'Ott', 'Pohl', 'Roth'];

/** `count` more extensions from 1000 on, with generated names. */
function extraExtensions(count: number): DnEntry[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) =>
    ext(String(1000 + i), `${FIRST[i % 10]} ${LAST[Math.floor(i / 10) % 10]}`),
  );
}

/**
 * Builds the default directory. `routePoints` are the API clients' DNs (the client id).
 * `extensionCount` above 6 adds extensions 1000, 1001, … (benchmarks of a larger PBX).
 */
export function createDirectory(routePointNumbers: string[], extensionCount = 6): PbxDirectory {
  const extensions = [
    ext('100', 'Anna Berger'),
    ext('101', 'Ben Carter'),
    ext('102', 'Clara Diaz'),
    ext('103', 'David Evans'),
    ext('104', 'Eva Fischer'),
    ext('105', 'Felix Graf'),
    ...extraExtensions(extensionCount - 6),
  ];
  const routePoints = routePointNumbers.map<DnEntry>((number) => ({
    number,
    name: `API ${number}`,
    type: 'Wroutepoint',
    entityType: 'script',
    cdrDnType: 'script',
    legacyDnType: 14,
  }));
  const ringGroup = {
    number: '700',
    name: 'Sales',
    type: 'Wringgroup' as const,
    entityType: 'ring_group_ring_all',
    cdrDnType: 'ring_group_ring_all',
    legacyDnType: 2,
    members: ['103', '104', '105'],
  };
  const queue = {
    number: '800',
    name: 'Support',
    type: 'Wqueue' as const,
    entityType: 'queue',
    cdrDnType: 'queue',
    legacyDnType: 4,
    agents: ['101', '102'],
  };
  const ivr: DnEntry = {
    number: '600',
    name: 'Main Menu',
    type: 'Wivr',
    entityType: 'ivr',
    cdrDnType: 'ivr',
    legacyDnType: 6,
  };
  const trunk: DnEntry = {
    number: '10007',
    name: 'GW - 32655144',
    type: 'Wexternalline',
    entityType: 'external_line',
    cdrDnType: 'provider',
    legacyDnType: 1,
  };
  const specialMenu: DnEntry = {
    number: '666',
    name: 'Voicemail',
    type: 'Wspecialmenu',
    entityType: 'voicemail',
    cdrDnType: 'extension',
    legacyDnType: 0,
  };
  const dids: Did[] = [
    { number: '32655144', label: ':Main Line' },
    { number: '32655145', label: ':Sales Line' },
  ];
  const all = [...extensions, ...routePoints, ringGroup, queue, ivr, trunk, specialMenu];
  const find = (number: string) => all.find((d) => d.number === number);
  return {
    extensions,
    routePoints,
    ringGroup,
    queue,
    ivr,
    trunk,
    specialMenu,
    dids,
    find,
    findAll: (numbers) => numbers.map(find).filter((d) => d !== undefined),
  };
}
