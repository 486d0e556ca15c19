/**
 * Chinese names of the Natural Earth features the globe labels (Natural Earth carries only
 * romanised names). Standard names as used by the Ministry of Civil Affairs gazetteer; places
 * renamed since the Natural Earth extract show today's name (襄樊 → 襄阳, 蒲圻 → 赤壁, 郧县 → 郧阳).
 * Features without an entry here are drawn but not labelled.
 */
export const PLACE_ZH: Readonly<Record<string, string>> = {
  Wuhan: '武汉', Yichang: '宜昌', Shashi: '荆州', Xiangfan: '襄阳', Shiyan: '十堰', Danjiangkou: '丹江口',
  Jingmen: '荆门', Xiaogan: '孝感', Huangshi: '黄石', Xiantao: '仙桃', Macheng: '麻城', Shishou: '石首',
  Anlu: '安陆', Guangshui: '广水', Puqi: '赤壁', Yunxian: '郧阳',
  Chongqing: '重庆', Chengdu: '成都', Changsha: '长沙', Nanchang: '南昌', Nanjing: '南京', Shanghai: '上海',
  Hefei: '合肥', Hangzhou: '杭州', Guiyang: '贵阳', Yueyang: '岳阳', Nanyang: '南阳', Ankang: '安康',
};

export const RIVER_ZH: Readonly<Record<string, string>> = {
  Yangtze: '长江', 'Chang Jiang': '长江', Jinsha: '金沙江', Tongtian: '通天河', Han: '汉江', Dan: '丹江',
  Yuan: '沅江', Xiang: '湘江', Gan: '赣江', Min: '岷江', Dadu: '大渡河', Tuo: '沱江', Wu: '乌江',
  Jialing: '嘉陵江', Yalong: '雅砻江',
};

export const LAKE_ZH: Readonly<Record<string, string>> = {
  'Dongting Hu': '洞庭湖', 'Poyang Hu': '鄱阳湖', 'Hong Hu': '洪湖', 'Liangzi Hu': '梁子湖',
  'Danjiangkou Shuiku': '丹江口水库', 'Tai Hu': '太湖', 'Chao Hu': '巢湖',
};
