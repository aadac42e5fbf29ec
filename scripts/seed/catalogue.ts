import { createHaipaiClient, type HaipaiClient, idempotent, type Schemas, unwrap } from '../../clients/typescript/src/index.js';
import { type Asset, createAccount, createPlatform, type NewWork, type Platform, registerWork } from './registry.js';

/** The seed's parties and registered works: three platforms, their people, one official. */
export interface Catalogue {
  platforms: Platform[];
  officialKey: string;
  people: People;
  works: Asset[];
  byTitle: Record<WorkName, Asset>;
  /** Which platform acts for each account. */
  platformOf: Map<string, Platform>;
}

type People = Record<
  'linYue' | 'zhouHang' | 'wuQing' | 'gaoMei' | 'neonStudio' | 'chenLi' | 'suXiao' | 'wangFang' | 'liLei' | 'hanMei',
  string
>;
type WorkName = 'qipao' | 'qipaoNight' | 'haihai' | 'shikumen' | 'neonRoad' | 'cyberHanfu' | 'xiaolong' | 'alleyCat';

const licence: Schemas['Licence'] = {
  commercialUse: 'personal',
  derivativesAllowed: true,
  attributionRequired: true,
  derivativeRoyaltyBps: 1500,
};
const avatarLicence: Schemas['Licence'] = {
  commercialUse: 'corporate',
  derivativesAllowed: false,
  attributionRequired: true,
  avatar: { performers: 'only_separately_licensed', violentUse: false, sexualUse: false, politicalOrReligiousUse: false },
};

export async function seedCatalogue(operator: HaipaiClient, baseUrl: string): Promise<Catalogue> {
  const platforms: Platform[] = [];
  const platform = async (name: string, feeBps: number) => {
    const p = await createPlatform(operator, baseUrl, name, feeBps);
    platforms.push(p);
    return p;
  };
  const bund = await platform('外滩数字时装 Bund Digital Fashion', 250);
  const longtang = await platform('弄堂元宇宙 Longtang Metaverse', 400);
  const haishang = await platform('海上数藏 Haishang Collectibles', 300);
  const official = unwrap(
    await operator.POST('/v1/officials', {
      body: { name: '陈审 Reviewer Chen', office: '上海市知识产权局 Shanghai IP Office' },
      headers: idempotent(),
    }),
  );
  const officialApi = createHaipaiClient({ baseUrl, apiKey: official.apiKey.secret });

  const platformOf = new Map<string, Platform>();
  const person = async (p: Platform, name: string, kind: 'person' | 'organization' = 'person') => {
    const id = await createAccount(p, name, kind);
    platformOf.set(id, p);
    return id;
  };
  const people: People = {
    linYue: await person(bund, '林悦 Lin Yue'),
    zhouHang: await person(bund, '周航 Zhou Hang'),
    wuQing: await person(bund, '吴晴 Wu Qing'),
    gaoMei: await person(bund, '高美 Gao Mei'),
    neonStudio: await person(longtang, '上海霓虹工作室 Neon Shanghai Studio', 'organization'),
    chenLi: await person(longtang, '陈立 Chen Li'),
    suXiao: await person(longtang, '苏晓 Su Xiao'),
    wangFang: await person(haishang, '王芳 Wang Fang'),
    liLei: await person(haishang, '李雷 Li Lei'),
    hanMei: await person(haishang, '韩梅 Han Mei'),
  };

  const work = (p: Platform, w: Omit<NewWork, 'claimedCreatedOn' | 'originalityStatement' | 'licence'> & Partial<NewWork>) =>
    registerWork(p, officialApi, {
      claimedCreatedOn: '2026-05-20',
      originalityStatement: 'Designed and modelled by the listed creators; no third-party material.',
      licence,
      ...w,
    });
  const solo = (accountId: string, role: NewWork['creators'][number]['role']) => [{ accountId, role, shareBps: 10000 }];

  const qipao = await work(bund, {
    kind: 'garment',
    title: '旗袍之光 Qipao of Light',
    description: 'A silk qipao woven from light, for avatars on every platform.',
    category: 'digital_creative',
    rightsHolderId: people.linYue,
    creators: [
      { accountId: people.linYue, role: 'designer', shareBps: 7000 },
      { accountId: people.zhouHang, role: 'modeler', shareBps: 3000 },
    ],
  });
  const neonRoad = await work(longtang, {
    kind: 'collectible',
    title: '南京路霓虹 Neon Nanjing Road',
    category: 'consumption_scene',
    rightsHolderId: people.neonStudio,
    creators: solo(people.neonStudio, 'brand'),
  });
  const byTitle: Record<WorkName, Asset> = {
    qipao,
    qipaoNight: await work(bund, {
      kind: 'garment',
      title: '旗袍之光·夜 Qipao of Light — Night Remix',
      category: 'digital_creative',
      rightsHolderId: people.zhouHang,
      creators: solo(people.zhouHang, 'modeler'),
      parents: [qipao.id],
    }),
    haihai: await work(bund, {
      kind: 'virtual_human',
      title: '海海 Haihai, the Bund Guide',
      category: 'brand_marketing',
      rightsHolderId: people.linYue,
      creators: solo(people.linYue, 'designer'),
      licence: avatarLicence,
    }),
    shikumen: await work(haishang, {
      kind: 'collectible',
      title: '石库门七号 Shikumen Gate No. 7',
      category: 'cultural_heritage_derivative',
      rightsHolderId: people.wangFang,
      creators: solo(people.wangFang, 'illustrator'),
    }),
    neonRoad,
    cyberHanfu: await work(longtang, {
      kind: 'garment',
      title: '赛博汉服夹克 Cyber Hanfu Jacket',
      category: 'industrial_application',
      rightsHolderId: people.neonStudio,
      creators: solo(people.neonStudio, 'designer'),
      licence: { ...licence, commercialUse: 'corporate' },
    }),
    xiaolong: await work(haishang, {
      kind: 'virtual_human',
      title: '小笼 Xiaolong, the Virtual Chef',
      category: 'data_ip',
      rightsHolderId: people.wangFang,
      creators: solo(people.wangFang, 'animator'),
      licence: avatarLicence,
    }),
    alleyCat: await work(longtang, {
      kind: 'collectible',
      title: '弄堂猫 Alley Cat of the Longtang',
      category: 'digital_creative',
      rightsHolderId: people.suXiao,
      creators: solo(people.suXiao, 'illustrator'),
      parents: [neonRoad.id],
    }),
  };

  return {
    platforms,
    officialKey: official.apiKey.secret,
    people,
    works: Object.values(byTitle),
    byTitle,
    platformOf,
  };
}
