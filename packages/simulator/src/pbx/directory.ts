/**
 * The small PBX the simulator runs: extensions, API route points, a ring group, two queues,
 * an IVR and two SIP trunks with DIDs. Numbers follow the captures in the reference (trunk DN
 * `10007`, extensions in the 100 range) and the field review (§1.4: DNs with leading zeros such
 * as `046` and `093`; §1.11: DIDs in the form each trunk delivers them, departments in
 * `*_group_name`).
 */

/**
 * Call Control DN `type` strings. `Wringgroup` is [INFERRED]: ring groups are never monitorable.
 * `Wspecialmenu` is voicemail and the other special menus ([FIELD] PHP auto-dialler capture).
 */
export type DnType =
  'Wextension' | 'Wroutepoint' | 'Wqueue' | 'Wivr' | 'Wexternalline' | 'Wringgroup' | 'Wspecialmenu';

/** The default department: 3CX's name for DNs in no other department ([OFFICIAL] CDR guide, field review §1.11). */
export const DEFAULT_DEPARTMENT = '__DEFAULT__';

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
  /** Department (3CX group), written to `*_participant_group_name`; null on trunks. */
  department: string | null;
}

/** A DID on a trunk, in the form that trunk delivers it, and the label 3CX puts into inbound CDR name fields. */
export interface Did {
  number: string;
  label: string;
  /** The trunk that delivers it. */
  trunk: DnEntry;
}

export interface PbxDirectory {
  extensions: DnEntry[];
  routePoints: DnEntry[];
  ringGroup: DnEntry & { members: string[] };
  /** Queue 800 (Support): agents 101, 102. */
  queue: DnEntry & { agents: string[] };
  /** Queue 093 (Hotline, a DN with a leading zero): agents 046, 104; queue 800 overflows to it. */
  hotline: DnEntry & { agents: string[] };
  ivr: DnEntry;
  /** The first trunk (10007, German DIDs delivered national and short). */
  trunk: DnEntry;
  trunks: DnEntry[];
  /** The voicemail special menu: callers reach a mailbox through it (`party_dn` "666" in the capture). */
  specialMenu: DnEntry;
  dids: Did[];
  /** A DN by number, or undefined. */
  find(number: string): DnEntry | undefined;
  /** The DNs of these numbers, in order; unknown numbers are skipped. */
  findAll(numbers: string[]): DnEntry[];
}

const ext = (number: string, name: string, department: string): DnEntry => ({
  number,
  name,
  type: 'Wextension',
  entityType: 'extension',
  cdrDnType: 'extension',
  legacyDnType: 0,
  department,
});

const trunkDn = (number: string, name: string): DnEntry => ({
  number,
  name,
  type: 'Wexternalline',
  entityType: 'external_line',
  cdrDnType: 'provider',
  legacyDnType: 1,
  department: null,
});

const FIRST = ['Hanna', 'Ivo', 'Jana', 'Karl', 'Lena', 'Milo', 'Nora', 'Otto', 'Paula', 'Rudi'];
const LAST = ['Huber', 'Ilic', 'Jung', 'Kraus', 'Lang', 'Moser', 'Nagel', 'Ott', 'Pohl', 'Roth'];

/** `count` more extensions from 1000 on, with generated names. */
function extraExtensions(count: number): DnEntry[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) =>
    ext(String(1000 + i), `${FIRST[i % 10]} ${LAST[Math.floor(i / 10) % 10]}`, DEFAULT_DEPARTMENT),
  );
}

/**
 * Builds the default directory. `routePoints` are the API clients' DNs (the client id).
 * `extensionCount` above 7 adds extensions 1000, 1001, … (benchmarks of a larger PBX).
 */
export function createDirectory(routePointNumbers: string[], extensionCount = 7): PbxDirectory {
  const extensions = [
    ext('100', 'Anna Berger', DEFAULT_DEPARTMENT),
    ext('101', 'Ben Carter', 'Support'),
    ext('102', 'Clara Diaz', 'Support'),
    ext('103', 'David Evans', 'Sales'),
    ext('104', 'Eva Fischer', 'Sales'),
    ext('105', 'Felix Graf', 'Sales'),
    ext('046', 'Nora Keller', 'Hotline'),
    ...extraExtensions(extensionCount - 7),
  ];
  const routePoints = routePointNumbers.map<DnEntry>((number) => ({
    number,
    name: `API ${number}`,
    type: 'Wroutepoint',
    entityType: 'script',
    cdrDnType: 'script',
    legacyDnType: 14,
    department: DEFAULT_DEPARTMENT,
  }));
  const ringGroup = {
    number: '700',
    name: 'Sales',
    type: 'Wringgroup' as const,
    entityType: 'ring_group_ring_all',
    cdrDnType: 'ring_group_ring_all',
    legacyDnType: 2,
    department: 'Sales',
    members: ['103', '104', '105'],
  };
  const queue = {
    number: '800',
    name: 'Support',
    type: 'Wqueue' as const,
    entityType: 'queue',
    cdrDnType: 'queue',
    legacyDnType: 4,
    department: 'Support',
    agents: ['101', '102'],
  };
  const hotline = { ...queue, number: '093', name: 'Hotline', department: 'Hotline', agents: ['046', '104'] };
  const ivr: DnEntry = {
    number: '600',
    name: 'Main Menu',
    type: 'Wivr',
    entityType: 'ivr',
    cdrDnType: 'ivr',
    legacyDnType: 6,
    department: DEFAULT_DEPARTMENT,
  };
  const trunk = trunkDn('10007', 'GW - 32655144');
  const swiss = trunkDn('10008', 'SIP CH - 0274842020');
  const specialMenu: DnEntry = {
    number: '666',
    name: 'Voicemail',
    type: 'Wspecialmenu',
    entityType: 'voicemail',
    cdrDnType: 'extension',
    legacyDnType: 0,
    department: DEFAULT_DEPARTMENT,
  };
  // The Swiss trunk's DIDs in the three forms trunks deliver ([FIELD] field review §1.11).
  const dids: Did[] = [
    { number: '32655144', label: ':Main Line', trunk },
    { number: '32655145', label: ':Sales Line', trunk },
    { number: '+41274842020', label: ':Hotline CH', trunk: swiss },
    { number: '0041274842021', label: ':Support CH', trunk: swiss },
    { number: '0274842022', label: ':Sales CH', trunk: swiss },
  ];
  const all = [...extensions, ...routePoints, ringGroup, queue, hotline, ivr, trunk, swiss, specialMenu];
  const find = (number: string) => all.find((d) => d.number === number);
  return {
    extensions,
    routePoints,
    ringGroup,
    queue,
    hotline,
    ivr,
    trunk,
    trunks: [trunk, swiss],
    specialMenu,
    dids,
    find,
    findAll: (numbers) => numbers.map(find).filter((d) => d !== undefined),
  };
}
