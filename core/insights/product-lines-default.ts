// The built-in product-line vocabulary: per industry, the lines a call can be about and the
// zh and en words that name them. Product-specific actions stay within the lines a call
// and its customer's profile touch, so an ultrasound call is never answered with MRI / CT.
import { z } from "zod";
import { ProductLine } from "./schema.ts";

const line = (
  id: string,
  industry: string,
  zh: string,
  en: string,
  keywords: readonly string[],
) => ({ id, industry, label: { zh, en }, keywords });

export const DEFAULT_PRODUCT_LINES: readonly ProductLine[] = z.array(ProductLine).parse([
  // ---- Medical devices ----
  line("ultrasound", "medical-devices", "超声", "ultrasound", [
    ...["超声", "彩超", "B超", "便携超声", "掌上超声", "超声诊断仪"],
    ...["ultrasound", "sonography"],
  ]),
  line("ct", "medical-devices", "CT", "CT", [
    ...["CT", "螺旋CT", "CT机", "断层扫描"],
    ...["computed tomography", "ct scanner"],
  ]),
  line("mri", "medical-devices", "磁共振", "MRI", [
    ...["MRI", "核磁", "磁共振", "核磁共振"],
    "magnetic resonance",
  ]),
  // Not bare "DR": in English it is a doctor's title.
  line("x-ray", "medical-devices", "X光（DR）", "X-ray (DR)", [
    ...["X光", "X光机", "X线", "DR机", "DR设备", "数字化X线", "拍片机"],
    ...["x-ray", "radiography", "digital radiography"],
  ]),
  line("monitors", "medical-devices", "监护仪", "patient monitors", [
    ...["监护仪", "心电监护", "监护设备", "多参数监护"],
    ...["patient monitor", "patient monitors", "vital signs monitor"],
  ]),
  line("lab", "medical-devices", "检验设备", "lab analysers", [
    ...["检验科", "检验设备", "生化分析仪", "生化仪", "血球仪", "化验设备", "分析仪"],
    ...["laboratory", "lab", "analyzer", "analyser", "chemistry analyzer"],
  ]),
  line("consumables", "medical-devices", "耗材试剂", "consumables", [
    ...["耗材", "试剂", "一次性耗材"],
    ...["consumables", "reagents", "reagent"],
  ]),
  line("service", "medical-devices", "维保服务", "service contracts", [
    ...["维保合同", "维保", "保修合同", "延保", "服务合同"],
    ...["service contract", "maintenance contract", "extended warranty"],
  ]),
  // ---- Education ----
  line("interactive-displays", "education", "交互大屏", "interactive displays", [
    ...["交互大屏", "交互式大屏", "智慧黑板", "电子白板", "触控一体机", "教学一体机", "智慧屏"],
    ...["interactive display", "interactive displays", "smart board", "smartboard"],
    "interactive whiteboard",
  ]),
  line("learning-platform", "education", "教学平台", "learning platform", [
    ...["教学平台", "学习平台", "在线课堂", "网课平台", "智慧课堂平台"],
    ...["lms", "learning platform", "learning management system", "online classroom"],
  ]),
  line("lab-equipment", "education", "实验室设备", "lab equipment", [
    ...["实验室设备", "实验设备", "理化生实验室", "创客教室"],
    ...["science lab", "lab equipment", "makerspace"],
  ]),
  line("student-devices", "education", "学生终端", "student devices", [
    ...["学生平板", "平板电脑", "学生终端", "笔记本电脑"],
    ...["tablets", "student devices", "chromebooks", "laptops"],
  ]),
  line("recording", "education", "录播系统", "lecture capture", [
    ...["录播", "录播教室", "录播系统"],
    "lecture capture",
  ]),
  // ---- Manufacturing ----
  line("cnc", "manufacturing", "数控机床", "CNC machines", [
    ...["数控", "数控机床", "机床", "加工中心", "车床"],
    ...["cnc", "machining center", "machine tool", "machine tools", "lathe"],
  ]),
  line("robotics", "manufacturing", "工业机器人", "industrial robots", [
    ...["机器人", "机械臂", "协作机器人", "焊接机器人"],
    ...["robot", "robots", "cobot", "cobots", "robotic arm", "robotics"],
  ]),
  line("automation", "manufacturing", "自动化控制", "automation", [
    ...["PLC", "自动化", "自动化产线", "控制系统"],
    ...["automation", "control system"],
  ]),
  line("inspection", "manufacturing", "视觉检测", "vision inspection", [
    ...["视觉检测", "检测设备", "在线检测", "机器视觉", "质检设备"],
    ...["machine vision", "vision inspection", "inspection system"],
  ]),
  line("mes", "manufacturing", "MES 系统", "MES", [
    ...["MES", "生产管理系统", "制造执行系统"],
    "manufacturing execution",
  ]),
  // ---- Software ----
  line("crm", "software", "CRM", "CRM", [
    ...["CRM", "客户管理系统", "客户关系管理"],
    "customer relationship management",
  ]),
  line("erp", "software", "ERP", "ERP", [...["ERP", "财务系统", "进销存"], "enterprise resource"]),
  line("analytics", "software", "数据分析", "analytics", [
    ...["BI", "报表", "数据分析", "数据看板"],
    ...["analytics", "dashboard", "dashboards", "business intelligence", "reporting"],
  ]),
  line("security", "software", "信息安全", "security", [
    ...["信息安全", "网络安全", "等保", "零信任", "数据安全"],
    ...["security", "cybersecurity", "zero trust", "sso", "single sign-on"],
  ]),
  line("collaboration", "software", "协同办公", "collaboration", [
    ...["OA", "协同办公", "办公系统"],
    ...["collaboration", "intranet"],
  ]),
]);
