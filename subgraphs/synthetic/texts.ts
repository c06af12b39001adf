/** Chinese free-text pools: visit notes, alarm outcomes, service notes and repair descriptions. */

export const VISIT_NOTES = [
  "老人身体状况良好，精神不错",
  "提醒老人按时服药，血压平稳",
  "检查燃气灶具和热水器，无安全隐患",
  "老人反映膝盖疼痛，已联系社区卫生服务站",
  "了解老人近期饮食情况，建议订餐服务",
  "协助老人办理高龄津贴年审",
  "老人情绪低落，陪同聊天半小时",
  "家中卫生较差，已联系保洁服务",
  "老人血糖偏高，提醒复查",
  "更换紧急呼叫器电池，测试正常",
  "冬季供暖正常，室内温度适宜",
  "子女近期探望过，老人状态稳定",
  "讲解防诈骗知识，发放宣传材料",
  "老人行动不便，建议申请助浴服务",
];

export const ALARM_FOLLOW_UP_NOTES = [
  "紧急呼叫后上门查看，老人无大碍",
  "跌倒报警后回访，老人轻微擦伤已处理",
  "报警后上门，协助联系家属陪同就医",
  "烟感报警后回访，检查厨房用火安全",
  "燃气报警后上门，已请燃气公司检修",
  "长时间无活动报警后回访，老人外出已返家",
];

export const ALARM_OUTCOMES: Record<string, readonly string[]> = {
  SOS_BUTTON: ["误触，已电话确认老人安全", "老人身体不适，已联系家属送医", "老人需要帮助开门，已派网格员上门"],
  FALL_DETECTED: ["老人跌倒，已联系120送医", "老人跌倒后可自行起身，电话确认无碍", "误报，老人安全"],
  SMOKE: ["厨房做饭油烟触发，已排除", "锅具干烧，已上门处置"],
  GAS_LEAK: ["燃气阀门未关紧，已关阀通风", "误报，燃气公司检测正常"],
  INACTIVITY: ["老人外出未带手环，已电话联系", "老人午睡，电话确认安全"],
};

export const PHONE_ONLY_OUTCOME = "电话联系老人，称无异常，未上门";

export const CANCEL_NOTES = ["老人临时外出，取消服务", "老人住院，暂停服务", "家属已安排，取消本次服务"];
export const DECEASED_CANCEL_NOTE = "服务对象已故，工单取消";

export const SERVICE_NOTES: Record<string, readonly string[]> = {
  MEAL_DELIVERY: ["午餐送餐上门", "低盐低糖餐", "软食送餐"],
  CLEANING: ["居室保洁", "厨房卫生间清洁"],
  BATHING: ["助浴服务，两名护理员", "上门助浴"],
  MEDICAL_ESCORT: ["陪同到朝阳医院复诊", "陪同到社区卫生服务中心取药"],
  HOME_VISIT: ["上门巡视探访", "健康监测：血压、血糖"],
};

export const REPAIRS: Record<string, readonly string[]> = {
  PLUMBING: ["厨房水管漏水", "马桶堵塞", "下水道返味", "水龙头滴水"],
  ELECTRICAL: ["家中跳闸", "插座没电", "户内照明线路故障"],
  ELEVATOR: ["电梯运行异响", "电梯按键失灵", "电梯门关不上"],
  DOOR_AND_WINDOW: ["单元门禁失灵", "窗户关不严漏风", "入户门锁损坏"],
  HEATING: ["暖气不热", "暖气片漏水", "供暖管道有异响"],
  LEAKAGE: ["楼上渗水，卫生间顶棚发霉", "屋顶漏雨", "外墙渗水"],
  PUBLIC_AREA: ["楼道灯不亮", "楼道堆放杂物", "小区路面破损", "垃圾桶满溢未清运"],
};
