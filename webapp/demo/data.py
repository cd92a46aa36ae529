"""The demo's data: people, clients, sites and rooms, the equipment catalogue and each
site's register, as plain values. The code that turns them into records is demo/__init__.py."""

from __future__ import annotations

from typing import Any, NamedTuple

DEMO_PASSWORD = "rounds-demo"  # noqa: S105 - published demo password, printed by `seed-demo`

# --- people ---------------------------------------------------------------------------------

# username, role, display name, phone, client key (client users only), stationed at.
# No saved language: each demo user sees the language their browser asks for until they choose.
USERS: list[tuple[str, str, str, str, str | None, tuple[str, ...]]] = [
    ("admin", "admin", "系统管理员", "", None, ()),
    ("dispatcher", "dispatcher", "王敏", "138-5716-2047", None, ()),
    ("engineer", "engineer", "李明", "138-0571-3396", None, ("main", "annex")),
    ("engineer2", "engineer", "张磊", "135-8801-4675", None, ("dc",)),
    ("client", "client", "陈建国", "139-0571-6628", "conf", ()),
]

# --- clients, sites, rooms ------------------------------------------------------------------

CLIENTS: dict[str, dict[str, Any]] = {
    "conf": {
        "name": "杭州云溪国际会议中心",
        "client_type": "annual_contract",
        "contact_name": "陈建国",
        "contact_phone": "139-0571-6628",
        "address": "浙江省杭州市西湖区云溪路 88 号",
        "response_minutes": 10,
        "request_response_minutes": 30,
        "resolution_hours": 2,
        "notes": "年度驻场运维合同：音视频、中控、网络及弱电电源。"
        "驻场工程师 1 名；重要会议前一天全系统联调，会中全程值守。",
    },
    "dc": {
        "name": "钱塘云谷数据中心",
        "client_type": "in_warranty",
        "contact_name": "赵志刚",
        "contact_phone": "137-5810-2293",
        "address": "浙江省杭州市钱塘区云谷路 168 号",
        "response_minutes": 10,
        "request_response_minutes": 30,
        "resolution_hours": 4,
        "notes": "一期工程质保期内客户：服务器、网络、UPS、精密空调驻场巡检；"
        "硬件故障由我司协调厂家上门及备件。",
    },
}

SITES: dict[str, dict[str, Any]] = {
    "main": {
        "client": "conf",
        "code": "ZL",
        "supplier": "浙江声远智能科技有限公司",
        "suppliers": {"network": "杭州恒信网络工程有限公司", "power": "杭州恒信网络工程有限公司"},
        "data": {
            "name": "云溪国际会议中心 主楼",
            "address": "浙江省杭州市西湖区云溪路 88 号 主楼",
            "contact_name": "陈建国",
            "contact_phone": "139-0571-6628",
            "working_hours": "08:30-12:00,14:00-17:30",
            "late_after_minutes": 15,
            "early_leave_minutes": 15,
            "notes": "会议音控机房在 3F；机房钥匙在 1F 消防控制室登记借用。",
        },
        "locations": [
            ("音控机房", "control_room", "3F", "调音台、功放机柜、中控及录播服务器"),
            ("多功能厅", "meeting_room", "1F", "可容纳 800 人，LED 主屏，常办发布会与晚宴"),
            ("1号报告厅", "meeting_room", "2F", "阶梯报告厅 300 座，Bosch DCN 会议系统"),
            ("大会议室", "meeting_room", "5F", "圆桌会议 40 座，领导会议常用"),
            ("弱电间", "machine_room", "B1", "核心交换机、防火墙、UPS"),
        ],
    },
    "annex": {
        "client": "conf",
        "code": "FL",
        "supplier": "杭州视联会议系统工程有限公司",
        "suppliers": {"network": "杭州恒信网络工程有限公司"},
        "data": {
            "name": "云溪国际会议中心 附楼（新闻中心）",
            "address": "浙江省杭州市西湖区云溪路 90 号 附楼",
            "contact_name": "周丽",
            "contact_phone": "136-5718-4402",
            "working_hours": "08:30-12:00,14:00-17:30",
            "late_after_minutes": 15,
            "early_leave_minutes": 15,
            "notes": "经 2F 连廊与主楼相通；中控室与弱电井在 1F 东侧。",
        },
        "locations": [
            ("2号报告厅", "meeting_room", "2F", "报告厅 180 座"),
            ("新闻发布厅", "meeting_room", "1F", "三机位直播，LED 背景屏"),
            ("中控室", "control_room", "1F", "附楼中控、矩阵、监控录像"),
            ("贵宾接待室", "meeting_room", "3F", ""),
        ],
    },
    "dc": {
        "client": "dc",
        "code": "DC",
        "warranty_years": 5,  # the project's warranty covers everything delivered
        "supplier": "浙江数安信息技术有限公司",
        "suppliers": {
            "power": "浙江华电机电设备安装有限公司",
            "other": "浙江华电机电设备安装有限公司",
        },
        "data": {
            "name": "钱塘云谷数据中心 1号楼",
            "address": "浙江省杭州市钱塘区云谷路 168 号 1号楼",
            "contact_name": "赵志刚",
            "contact_phone": "137-5810-2293",
            "working_hours": "08:00-12:00,14:00-18:00",
            "late_after_minutes": 15,
            "early_leave_minutes": 30,
            "notes": "进入机房须在 1F 值班室填写机房出入登记，外来人员全程陪同。",
        },
        "locations": [
            ("A区机房", "server_room", "2F", "A01-A12 机柜，冷通道封闭"),
            ("B区机房", "server_room", "2F", "B01-B08 机柜，2024 年扩容"),
            ("网络间", "machine_room", "2F", "核心交换、出口路由、防火墙"),
            ("UPS室", "machine_room", "1F", "2N UPS 及蓄电池室"),
            ("配电室", "machine_room", "1F", "市电双路进线"),
        ],
    },
}

# --- the equipment catalogue ----------------------------------------------------------------

# brand key: brand as written on the register, manufacturer, manufacturer contact
BRANDS: dict[str, tuple[str, str, str]] = {
    "yamaha": ("YAMAHA", "雅马哈乐器音响（中国）投资有限公司", "厂家400热线 400-051-7762"),
    "shure": ("Shure", "舒尔国际贸易（上海）有限公司", "厂家400热线 400-821-6863"),
    "sennheiser": ("Sennheiser", "森海塞尔电子（北京）有限公司", "厂家400热线 400-816-2031"),
    "bosch": ("Bosch", "博世（上海）安保系统有限公司", "厂家400热线 400-831-0674"),
    "bose": ("BOSE", "博士视听系统（上海）有限公司", "厂家400热线 400-880-2619"),
    "crown": ("Crown", "哈曼（中国）投资有限公司", "厂家400热线 400-860-1392"),
    "dbx": ("dbx", "哈曼（中国）投资有限公司", "厂家400热线 400-860-1392"),
    "amx": ("AMX", "哈曼（中国）投资有限公司", "厂家400热线 400-860-1392"),
    "labgruppen": ("Lab.gruppen", "Music Tribe 音乐部落", "华东技术支持 周工 139-2618-4407"),
    "biamp": ("BIAMP", "Biamp Systems 中国办事处", "华东技术支持 孙工 186-2155-3091"),
    "sony": ("Sony", "索尼（中国）有限公司", "厂家400热线 400-810-9127"),
    "panasonic": ("Panasonic", "松下电器（中国）有限公司", "厂家400热线 400-611-0148"),
    "hikvision": ("海康威视", "杭州海康威视数字技术股份有限公司", "厂家400热线 400-700-5936"),
    "dahua": ("大华", "浙江大华技术股份有限公司", "厂家400热线 400-672-8153"),
    "leyard": ("利亚德", "利亚德光电股份有限公司", "厂家400热线 400-650-1947"),
    "unilumin": ("洲明", "深圳市洲明科技股份有限公司", "厂家400热线 400-890-6715"),
    "novastar": ("NovaStar 诺瓦", "西安诺瓦星云科技股份有限公司", "厂家400热线 400-159-0863"),
    "barco": ("Barco", "巴可伟视（北京）电子有限公司", "厂家400热线 400-880-6650"),
    "extron": ("Extron", "Extron Electronics 上海代表处", "华东技术支持 吴工 137-6402-8815"),
    "kramer": ("Kramer", "Kramer Electronics 中国办事处", "华东技术支持 黄工 135-1066-7342"),
    "crestron": ("Crestron 快思聪", "快思聪（Crestron）中国", "厂家400热线 400-930-9871"),
    "dsppa": ("DSPPA 迪士普", "广州市迪士普音响科技有限公司", "厂家400热线 400-888-3854"),
    "apc": ("APC", "施耐德电气（中国）有限公司", "厂家400热线 400-810-1362"),
    "schneider": ("Schneider 施耐德", "施耐德电气（中国）有限公司", "厂家400热线 400-810-1362"),
    "vertiv": ("Vertiv 维谛（原艾默生）", "维谛技术有限公司", "厂家400热线 400-887-6539"),
    "leoch": ("理士 LEOCH", "理士国际技术有限公司", "厂家400热线 400-830-5971"),
    "abb": ("ABB", "ABB（中国）有限公司", "厂家400热线 400-820-9641"),
    "huawei": ("华为", "华为技术有限公司", "厂家400热线 400-822-9735"),
    "xfusion": ("华为 FusionServer", "超聚变数字技术有限公司", "厂家400热线 400-009-8214"),
    "h3c": ("H3C 新华三", "新华三技术有限公司", "厂家400热线 400-810-0587"),
    "cisco": ("Cisco", "思科系统（中国）网络技术有限公司", "厂家400热线 400-810-8876"),
    "dell": ("Dell", "戴尔（中国）有限公司", "厂家400热线 400-886-8629"),
    "inspur": ("浪潮", "浪潮电子信息产业股份有限公司", "厂家400热线 400-860-0094"),
    "hpe": ("HPE", "慧与（中国）有限公司", "厂家400热线 400-610-4178"),
    "synology": ("Synology 群晖", "群晖科技股份有限公司", "厂家400热线 400-821-0316"),
    "renke": ("仁科", "山东仁科测控技术有限公司", "厂家400热线 400-085-3326"),
    "aten": ("ATEN 宏正", "宏正自动科技股份有限公司", "厂家400热线 400-810-0628"),
}


class Kind(NamedTuple):
    """A model of device: what every unit of it shares on the register."""

    system: str
    name: str
    brand: str  # key into BRANDS
    model: str
    serial: str  # format with n (6 digits), t (7-character tag), y (two-digit install year)
    warranty_years: int
    interfaces: str
    free_interfaces: str
    fault_points: str


# fmt: off
KINDS: dict[str, Kind] = {
    # audio
    "ql5": Kind(
        "audio", "数字调音台", "yamaha", "QL5", "BHXM{y}{n:06d}", 3,
        "本机 XLR 输入×32, XLR 输出×16, Dante 主/备, MY 扩展卡槽×2, Word Clock",
        "MY 扩展卡槽×2, 本机输入×6",
        "推子、旋钮接触不良；触摸屏校准偏移；风扇积灰导致过热；场景文件被误覆盖（会前先备份）",
    ),
    "tf5": Kind(
        "audio", "数字调音台", "yamaha", "TF5", "BJZL{y}{n:06d}", 3,
        "XLR/TRS 输入×32, XLR 输出×16, NY64-D Dante 卡, USB 录音口",
        "XLR 输入×10, XLR 输出×8",
        "USB 录音盘不识别；推子电机异响；预设被改动后增益异常",
    ),
    "rio": Kind(
        "audio", "Dante 数字接口箱", "yamaha", "Rio3224-D2", "BHQT{y}{n:06d}", 3,
        "XLR 输入×32, XLR 输出×16, AES/EBU 输出×4, Dante 主/备",
        "XLR 输入×8, XLR 输出×4",
        "Dante 主备链路切换后时钟失锁；电源模块老化",
    ),
    "ulxd4": Kind(
        "audio", "无线手持话筒接收机", "shure", "ULXD4D", "2UX{y}{n:06d}", 2,
        "XLR 输出×2, 6.35mm 输出×1, BNC 天线口×2, 以太网×1",
        "6.35mm 输出×1",
        "无线频点干扰（会前做频率扫描）；天线接头松动；电池仓触点氧化；话筒跌落后网罩变形",
    ),
    "ew": Kind(
        "audio", "无线领夹话筒接收机", "sennheiser", "EW 100 G4（EM 100 G4）",
        "EM{n:06d}{y}", 2,
        "XLR 平衡输出×1, 6.35mm 输出×1, BNC 天线口×2",
        "6.35mm 输出×1",
        "频点与手持话筒冲突；领夹线缆断芯；腰包电池盖卡扣断裂",
    ),
    "dcn": Kind(
        "audio", "数字会议系统主机", "bosch", "DCNM-APS2", "DCN{y}{n:06d}", 3,
        "DCN 主干口×3, XLR 输入×2, XLR 输出×2, OMNEO 网口×2",
        "DCN 主干口×1, XLR 输入×1",
        "发言单元不识别（主干线接头松动）；主机死机需断电重启；发言模式被改动",
    ),
    "dcn_units": Kind(
        "audio", "会议发言单元（主席/代表）", "bosch", "DCNM-DE / DCNM-D", "DCU{y}{n:06d}", 3,
        "DCN 进出口×2, 3.5mm 耳机口×1",
        "",
        "鹅颈话筒接触不良；发言按键失灵；指示灯环不亮",
    ),
    "amp_crown": Kind(
        "audio", "功率放大器", "crown", "XTi 4002", "XT4{y}{n:06d}", 3,
        "XLR 输入×2, Speakon 输出×2, USB 管理口×1",
        "无",
        "保护灯亮（负载短路或过载）；风扇积灰导致过热；输入电平旋钮被误调",
    ),
    "amp_lab": Kind(
        "audio", "数字功率放大器", "labgruppen", "D 20:4L", "LG{y}{n:06d}", 3,
        "模拟输入×4, AES3 输入×2, Dante 主/备, Speakon 输出×4",
        "模拟输入×2",
        "Dante 配置丢失后无输出；滤网积灰导致过热限幅",
    ),
    "dsp": Kind(
        "audio", "数字音频处理器", "biamp", "TesiraFORTÉ AI", "TF{y}{n:06d}", 3,
        "模拟输入×12, 模拟输出×8, USB 音频, RS-232, 以太网",
        "模拟输入×2, 模拟输出×2",
        "预设误加载导致无声；IP 冲突后中控无法控制；AEC 参数被改动产生回声",
    ),
    "fbx": Kind(
        "audio", "反馈抑制器", "dbx", "AFS2", "AFS{y}{n:06d}", 2,
        "XLR 输入×2, XLR 输出×2",
        "无",
        "自动学习后滤波点过多，音色发闷；旁通开关被误按",
    ),
    "spk_line": Kind(
        "audio", "线阵列音箱", "bose", "MA12EX", "MA{y}{n:06d}", 3,
        "NL4 输入×1, 接线柱×1",
        "",
        "吊挂件松动（每季度检查）；高音单元破音",
    ),
    "spk_ceiling": Kind(
        "audio", "吸顶音箱", "bose", "EdgeMax EM90", "EM90{y}{n:06d}", 3,
        "70V/100V 定压接线端",
        "",
        "接线端子氧化；格栅松脱",
    ),
    # video
    "proj_pana": Kind(
        "video", "激光工程投影机", "panasonic", "PT-RZ990", "SH{y}{n:06d}", 3,
        "HDMI×1, DVI-D×1, DIGITAL LINK（HDBaseT）×1, 3G-SDI×1, RS-232C, LAN",
        "DVI-D×1, 3G-SDI×1",
        "滤网堵塞导致过热关机；光源衰减后画面偏色，需做色彩校正；镜头位移电机卡滞",
    ),
    "proj_sony": Kind(
        "video", "高清投影机", "sony", "VPL-FH500L", "7{y}{n:06d}", 3,
        "HDMI×2, DVI-D×1, VGA×1, HDBaseT×1, RS-232C, LAN",
        "VGA×1, DVI-D×1",
        "灯泡寿命到期（约 3000 小时）；滤网堵塞导致过热；风扇异响",
    ),
    "cam_sony": Kind(
        "video", "高清会议摄像机", "sony", "SRG-X400", "5{y}{n:06d}", 3,
        "HDMI×1, 3G-SDI×1, IP（RJ-45, PoE+）×1, RS-422/RS-232（VISCA）",
        "HDMI×1",
        "预置位漂移；PoE 供电不足时图像卡顿；云台电机异响",
    ),
    "cam_pana": Kind(
        "video", "高清会议摄像机", "panasonic", "AW-HE40", "D{y}{n:06d}", 3,
        "HDMI×1, 3G-SDI×1, LAN（PoE+）, RS-422",
        "3G-SDI×1",
        "预置位漂移；红外遥控失灵；画面偏色需重设白平衡",
    ),
    "led_leyard": Kind(
        "video", "LED 全彩显示屏", "leyard", "TVF1.8（P1.8 小间距）", "LYD{y}{n:06d}", 2,
        "接收卡网口输入×20, 三相配电箱",
        "",
        "模组坏点、坏块；接收卡掉线导致局部黑屏；模组拼缝不平",
    ),
    "led_unilumin": Kind(
        "video", "LED 全彩显示屏", "unilumin", "UTV1.5（P1.5 小间距）", "ZM{y}{n:06d}", 2,
        "接收卡网口输入×8, 单相配电箱",
        "",
        "模组坏点；电源模块老化导致整列不亮；屏体积灰",
    ),
    "novastar": Kind(
        "video", "LED 视频处理器", "novastar", "VX1000", "NVX{y}{n:06d}", 2,
        "HDMI 2.0×1, HDMI 1.3×2, DVI×1, 3G-SDI×1, 网口输出×10, USB",
        "HDMI 1.3×1, 3G-SDI×1, 网口输出×2",
        "输入源分辨率变化后黑屏；预设场景被改动；网口输出顺序接错",
    ),
    "clickshare": Kind(
        "video", "无线投屏器", "barco", "ClickShare CX-50", "187{y}{n:06d}", 3,
        "HDMI 输出×1, USB-C×1, USB-A×2, 以太网×1",
        "USB-A×1",
        "投屏按键配对失效（插回基座重新配对）；固件升级后个别笔记本不兼容",
    ),
    "matrix_extron": Kind(
        "video", "数字矩阵切换器", "extron", "DTP CrossPoint 108 4K", "A{y}{n:06d}", 3,
        "HDMI 输入×8, DTP 输入×2, HDMI 输出×4, DTP 输出×4, RS-232, 以太网",
        "HDMI 输入×2, DTP 输出×1",
        "EDID 不匹配导致无画面；HDCP 握手失败；输出分辨率被改动",
    ),
    "matrix_kramer": Kind(
        "video", "4K HDBaseT 矩阵切换器", "kramer", "VS-88UT", "K{y}{n:06d}", 3,
        "HDMI 输入×4, HDBaseT 输入×4, HDMI 输出×4, HDBaseT 输出×4, RS-232, 以太网",
        "HDBaseT 输入×1, HDMI 输出×1",
        "HDBaseT 线缆超过 70 米画面闪断；HDCP 握手失败",
    ),
    "display_sony": Kind(
        "video", "85 英寸专业显示器", "sony", "FW-85BZ40H", "8{y}{n:06d}", 3,
        "HDMI×4, USB×2, RS-232C, LAN",
        "HDMI×2, USB×1",
        "待机后无法唤醒（需关闭节能模式）；HDMI-CEC 与中控冲突",
    ),
    "cam_dome": Kind(
        "video", "网络高清球机", "hikvision", "DS-2DE4425IW-DE", "J{y}{n:06d}", 3,
        "RJ-45（PoE）×1, 报警输入/输出, 音频输入/输出",
        "报警输入×1",
        "球罩起雾、积灰；夜间红外灯失效；设备时间不同步",
    ),
    "cam_dahua": Kind(
        "video", "网络半球摄像机", "dahua", "DH-IPC-HDBW2431R-ZS", "6L{y}{n:06d}", 3,
        "RJ-45（PoE）×1",
        "",
        "PoE 端口掉电后离线；IR-CUT 卡滞导致画面偏红",
    ),
    "nvr": Kind(
        "video", "网络硬盘录像机", "hikvision", "DS-8632N-K8", "L{y}{n:06d}", 3,
        "千兆网口×2, HDMI×1, VGA×1, SATA 盘位×8, 报警输入 16 / 输出 4",
        "SATA 盘位×2, 报警输入×12",
        "硬盘故障导致录像断档（每月抽查录像完整性）；设备时间不同步",
    ),
    # central control
    "cp4n": Kind(
        "central_control", "中控主机", "crestron", "CP4N", "{y}{n:06d}CP", 3,
        "COM（RS-232/422/485）×2, IR/串口×8, 继电器×8, 数字 I/O×8, 以太网（控制/设备）×2",
        "IR×3, 继电器×2",
        "程序丢失（需备份工程文件）；设备 IP 被改动后触摸屏离线；红外码失效",
    ),
    "tsw1070": Kind(
        "central_control", "触摸控制屏", "crestron", "TSW-1070", "{y}{n:06d}TS", 3,
        "RJ-45（PoE）×1, USB×1",
        "USB×1",
        "PoE 供电中断后黑屏；触摸偏移需重新校准",
    ),
    "nx3200": Kind(
        "central_control", "中控主机", "amx", "NX-3200", "NX{y}{n:06d}", 3,
        "RS-232/422/485×8, IR/串口×8, 继电器×8, I/O×8, 以太网×1, ICSLan×4",
        "RS-232×3, IR×4",
        "程序丢失（需备份工程文件）；串口控制线脱落；时钟电池耗尽",
    ),
    "mt1002": Kind(
        "central_control", "触摸控制屏", "amx", "MT-1002", "MT{y}{n:06d}", 3,
        "RJ-45（PoE）×1, USB×1",
        "USB×1",
        "界面卡死需重启；PoE 供电不足",
    ),
    # power
    "sequencer": Kind(
        "power", "电源时序器", "dsppa", "PC1108（8 路）", "DS{y}{n:06d}", 2,
        "受控电源插座×8, RS-232 联动口×1, 级联口×2",
        "插座×2",
        "继电器触点粘连导致无法断电；开关机顺序被改动",
    ),
    "ups_apc": Kind(
        "power", "不间断电源（UPS）", "apc", "Smart-UPS SRT 10kVA（SRT10KXLI）",
        "AS{y}{n:06d}", 3,
        "输出端子×1, IEC C13×6, IEC C19×4, 网络管理卡 AP9641",
        "IEC C13×2",
        "蓄电池老化导致后备时间不足；风扇异响；网管卡 IP 丢失",
    ),
    "ups_vertiv": Kind(
        "power", "模块化 UPS", "vertiv", "Liebert APM 300kVA", "0{y}{n:06d}", 5,
        "输入/输出铜排, 电池接入端, RS-485, SNMP 卡, 干接点×6",
        "干接点×2",
        "功率模块风扇故障告警；并机通讯线松动；电池开关被误分断",
    ),
    "battery": Kind(
        "power", "UPS 蓄电池组", "leoch", "DJM12100（12V 100Ah）", "LC{y}{n:06d}", 3,
        "汇流铜排, 电池巡检模块接口",
        "",
        "单节内阻偏高（每季度内阻测试）；端子螺栓松动发热；电池鼓包、漏液",
    ),
    "ats": Kind(
        "power", "双电源自动切换开关（ATS）", "abb", "TruONE OXB 630", "AB{y}{n:06d}", 5,
        "主/备电源进线, 干接点×2, Modbus RS-485",
        "干接点×1",
        "控制器误切换；机械机构卡滞（每年做一次切换试验）",
    ),
    "lv_cabinet": Kind(
        "power", "低压配电柜", "schneider", "Blokset 抽出式（MTZ 主断路器）",
        "SE{y}{n:06d}", 5,
        "进线×1, 出线回路×12, 多功能电表 RS-485",
        "备用回路×3",
        "接线端子松动发热（每季度红外测温）；电表通讯中断",
    ),
    "pdc": Kind(
        "power", "列头柜（精密配电柜）", "vertiv", "Liebert PDC 160A", "PD{y}{n:06d}", 5,
        "三相输入 160A×2, 输出支路 32A×36, 支路电流监测, RS-485",
        "支路×8",
        "支路开关跳闸；电流监测模块通讯中断",
    ),
    # network
    "s12700e": Kind(
        "network", "核心交换机", "huawei", "S12700E-8", "21023{n:06d}{t}", 3,
        "40GE QSFP+×8, 10GE SFP+×48, GE 电口×48, Console, 管理网口",
        "10GE SFP+×14, GE 电口×20",
        "板卡风扇告警；集群链路中断；光模块老化导致 CRC 错包",
    ),
    "s5735": Kind(
        "network", "PoE 接入交换机", "huawei", "S5735-L48P4X-A1", "21980{n:06d}{t}", 3,
        "GE 电口×48（PoE+）, 10GE SFP+×4, Console",
        "GE 电口×10",
        "PoE 功率超限导致 AP 掉线；端口环路引发广播风暴",
    ),
    "s5130": Kind(
        "network", "接入交换机", "h3c", "S5130S-52S-EI", "210235A{n:06d}", 3,
        "GE 电口×48, SFP+×4, Console",
        "GE 电口×16, SFP+×2",
        "端口环路引发广播风暴；配置未保存，重启后丢失",
    ),
    "usg": Kind(
        "network", "下一代防火墙", "huawei", "USG6555E", "21024{n:06d}{t}", 3,
        "GE 电口×16, 10GE SFP+×4, 管理口, Console",
        "GE 电口×8",
        "特征库授权到期；会话数满导致新建连接失败；HA 心跳线松动",
    ),
    "ac": Kind(
        "network", "无线控制器（AC）", "huawei", "AirEngine 9700-M1", "21025{n:06d}{t}", 3,
        "GE 电口×8, 10GE SFP+×4",
        "GE 电口×6, 10GE SFP+×2",
        "AP 授权数不足；AP 上线失败（CAPWAP 隧道断开）",
    ),
    "ap": Kind(
        "network", "无线 AP", "huawei", "AirEngine 5761-11", "21026{n:06d}{t}", 3,
        "GE 电口（PoE 受电）×1, USB×1",
        "USB×1",
        "高密会场接入数超限导致掉线；同频干扰",
    ),
    "ce16804": Kind(
        "network", "数据中心核心交换机", "huawei", "CloudEngine 16804", "21027{n:06d}{t}", 5,
        "100GE QSFP28×36, 10GE SFP+×48, 管理口×2",
        "100GE×14, 10GE×20",
        "光模块失效导致链路 down；主控板倒换；风扇框告警",
    ),
    "ce6881": Kind(
        "network", "接入交换机（TOR）", "huawei", "CloudEngine 6881-48S6CQ", "21028{n:06d}{t}", 5,
        "10GE SFP+×48, 100GE QSFP28×6",
        "10GE SFP+×12",
        "M-LAG 心跳链路中断；光模块温度告警",
    ),
    "c9300": Kind(
        "network", "管理网交换机", "cisco", "Catalyst 9300-48T（C9300-48T）",
        "FOC{y}{n:06d}", 5,
        "GE 电口×48, 网络模块槽×1, StackWise 口×2, Console",
        "GE 电口×22",
        "IOS-XE 升级后许可证级别回退；电源模块告警",
    ),
    "ar": Kind(
        "network", "出口路由器", "huawei", "NetEngine AR6140-16G4XG", "21029{n:06d}{t}", 5,
        "GE 电口×8, GE 光口×8, 10GE SFP+×4",
        "GE 光口×4",
        "运营商线路中断（联系运营商报障）；NAT 会话表满",
    ),
    # servers and storage
    "r740": Kind(
        "server", "录播管理服务器", "dell", "PowerEdge R740", "{t}", 3,
        "iDRAC9 管理口×1, 1GbE×4, 10GbE SFP+×2, USB×3, VGA×2",
        "1GbE×2, USB×2",
        "硬盘预故障告警（RAID 降级）；内存 ECC 错误；风扇积灰导致过热",
    ),
    "r750": Kind(
        "server", "机架式服务器", "dell", "PowerEdge R750", "{t}", 5,
        "iDRAC9 管理口×1, 1GbE×2, 25GbE SFP28×2, USB×3, VGA×1",
        "1GbE×1",
        "硬盘预故障告警；电源冗余丢失；iDRAC 许可证到期",
    ),
    "2288h": Kind(
        "server", "机架式服务器", "xfusion", "FusionServer 2288H V5", "2102{n:06d}{t}", 5,
        "iBMC 管理口×1, GE×4, 25GE SFP28×2, USB×4, VGA×1",
        "GE×2",
        "RAID 卡电容老化告警；内存 ECC 纠错计数过高；BMC 时间不同步",
    ),
    "nf5280": Kind(
        "server", "机架式服务器", "inspur", "NF5280M6", "21{y}{n:06d}", 5,
        "BMC 管理口×1, GE×2, 25GE SFP28×2, USB×3, VGA×1",
        "GE×1",
        "背板硬盘指示灯异常；电源模块告警",
    ),
    "dl380": Kind(
        "server", "机架式服务器", "hpe", "ProLiant DL380 Gen10", "CZJ{y}{n:06d}", 5,
        "iLO 5 管理口×1, 1GbE×4, 10GbE SFP+×2, USB×3, VGA×1",
        "1GbE×2",
        "阵列卡缓存电池故障；风扇告警",
    ),
    "nas": Kind(
        "server", "网络存储（NAS）", "synology", "RS3621xs+", "{y}B0{n:06d}", 3,
        "1GbE×4, 10GbE×2（扩展卡）, 盘位×12, 扩展柜口×2",
        "盘位×4",
        "硬盘坏道导致存储池降级；系统更新后套件停用；未配置 UPS 联动关机",
    ),
    "oceanstor": Kind(
        "server", "存储阵列", "huawei", "OceanStor 5310", "21020{n:06d}{t}", 5,
        "双控制器, 32Gb FC×8, 25GbE×8, SAS 级联口×4, 管理口×2",
        "FC×4, 25GbE×4",
        "硬盘故障需热插拔更换；控制器 BBU 告警；多路径切换异常",
    ),
    # environment
    "pex4": Kind(
        "other", "精密空调（房间级）", "vertiv", "Liebert PEX4 40kW（下送风）", "PX{y}{n:06d}", 5,
        "RS-485（Modbus）×1, 远程开关机干接点×1, 告警输出干接点×2, 漏水检测输入×1",
        "告警输出干接点×1",
        "室外机冷凝器积灰导致高压告警；加湿罐结垢；过滤网堵塞导致风量不足",
    ),
    "crv": Kind(
        "other", "行级精密空调", "vertiv", "Liebert CRV 25kW", "CR{y}{n:06d}", 5,
        "RS-485（Modbus）×1, 干接点×2, 群控口×2",
        "干接点×1",
        "冷凝水泵故障导致漏水告警；EC 风机告警；回风温度传感器漂移",
    ),
    "th": Kind(
        "other", "温湿度传感器", "renke", "RS-WS-N01-2（RS-485）", "RK{y}{n:06d}", 2,
        "RS-485×1, DC 10-30V 供电",
        "",
        "485 总线地址冲突；传感器漂移（每年校准）",
    ),
    "rdu": Kind(
        "other", "动力环境监控主机", "vertiv", "RDU-A G2", "RD{y}{n:06d}", 5,
        "RS-485×8, 干接点输入×8, 以太网×2, 短信告警模块",
        "RS-485×3, 干接点×4",
        "短信告警 SIM 卡欠费失效；采集通道离线",
    ),
    "kvm": Kind(
        "other", "LCD KVM 控制台", "aten", "CL5716", "Z{y}{n:06d}", 3,
        "KVM 口×16, 级联口×1, USB×1",
        "KVM 口×4",
        "抽屉导轨卡滞；个别服务器 USB 键鼠不识别",
    ),
}
# fmt: on


class Placement(NamedTuple):
    """One line of a site's register: `qty` units of a kind in a room. `{k}` in notes numbers
    the units."""

    location: str
    kind: str
    qty: int = 1
    installed: str | None = None  # ISO date; None when only the years in use are known
    years: int | None = None
    status: str = "in_service"
    notes: str = ""


P = Placement

# fmt: off
EQUIPMENT: dict[str, list[Placement]] = {
    "main": [
        P("音控机房", "ql5", 1, "2021-03-18",
          notes="2021 年音频改造替换原模拟调音台；场景文件每周备份到 NAS"),
        P("音控机房", "rio", 2, "2021-03-18", notes="{k}# 接口箱"),
        P("音控机房", "dsp", 1, "2021-03-18"),
        P("音控机房", "ulxd4", 3, "2019-08-05", notes="配 ULXD2/SM58 手持发射器 2 支"),
        P("音控机房", "ulxd4", 1, "2019-08-05", status="faulty",
          notes="B 通道无射频信号，已联系厂家返修，暂用备用接收机"),
        P("音控机房", "ew", 1, None, 7, "spare", "备用接收机，含领夹发射器 1 套"),
        P("音控机房", "amp_crown", 4, "2016-06-20", notes="功放机柜 B，第 {k} 台"),
        P("音控机房", "fbx", 1, None, 9),
        P("音控机房", "sequencer", 2, "2016-06-20", notes="{k}# 时序器"),
        P("音控机房", "matrix_extron", 1, "2021-03-20"),
        P("音控机房", "cp4n", 1, "2021-03-22", notes="控制多功能厅、大会议室；程序备份在 NAS"),
        P("音控机房", "novastar", 1, "2021-03-25", notes="驱动多功能厅 LED 主屏"),
        P("音控机房", "r740", 1, "2021-04-02", notes="会议录播与中控管理"),
        P("音控机房", "nas", 1, "2022-07-11", notes="会议录音录像存储，RAID 6"),
        P("音控机房", "th", 1, "2021-03-18"),
        P("多功能厅", "led_leyard", 1, "2021-03-25", notes="屏体 8.0 m × 4.5 m"),
        P("多功能厅", "spk_line", 4, "2016-06-20", notes="主扩吊挂，左右各 2 只"),
        P("多功能厅", "amp_lab", 2, "2021-03-18"),
        P("多功能厅", "cam_sony", 2, "2021-03-28", notes="机位 {k}"),
        P("多功能厅", "tsw1070", 1, "2021-03-22", notes="讲台旁"),
        P("多功能厅", "clickshare", 1, "2022-05-16"),
        P("多功能厅", "ap", 2, "2020-09-15"),
        P("1号报告厅", "proj_pana", 1, "2019-08-05", notes="主投影，200 英寸幕布"),
        P("1号报告厅", "cam_pana", 1, "2019-08-05"),
        P("1号报告厅", "nx3200", 1, None, 9, notes="原集成商编写程序，源码未移交"),
        P("1号报告厅", "mt1002", 1, None, 9),
        P("1号报告厅", "dcn", 1, "2016-06-20"),
        P("1号报告厅", "dcn_units", 1, "2016-06-20",
          notes="按批登记：主席单元 2 台、代表单元 48 台"),
        P("1号报告厅", "spk_line", 2, "2016-06-20"),
        P("1号报告厅", "sequencer", 1, "2016-06-20"),
        P("大会议室", "display_sony", 2, "2022-05-16", notes="主席台两侧"),
        P("大会议室", "dcn", 1, "2018-04-10"),
        P("大会议室", "dcn_units", 1, "2018-04-10",
          notes="按批登记：主席单元 1 台、代表单元 36 台"),
        P("大会议室", "cam_sony", 1, "2022-05-16"),
        P("大会议室", "spk_ceiling", 1, "2018-04-10", notes="按批登记：吸顶音箱 12 只"),
        P("大会议室", "tsw1070", 1, "2022-05-16"),
        P("大会议室", "ap", 1, "2020-09-15"),
        P("弱电间", "s12700e", 1, "2020-09-15"),
        P("弱电间", "s5735", 3, "2020-09-15", notes="{k}# 接入，分别上联 1F/2F/3F 弱电井"),
        P("弱电间", "usg", 1, "2020-09-15"),
        P("弱电间", "ac", 1, "2020-09-15"),
        P("弱电间", "ups_apc", 1, "2017-03-08", notes="为音控机房及弱电间供电；2023-06 更换电池"),
    ],
    "annex": [
        P("2号报告厅", "proj_sony", 1, "2019-09-12", status="faulty",
          notes="灯泡已超 3000 小时，画面发暗，已申请备件"),
        P("2号报告厅", "ulxd4", 2, "2019-09-12"),
        P("2号报告厅", "amp_crown", 2, "2019-09-12"),
        P("2号报告厅", "spk_line", 2, "2019-09-12"),
        P("2号报告厅", "fbx", 1, "2019-09-12"),
        P("新闻发布厅", "tf5", 1, "2019-09-12"),
        P("新闻发布厅", "ew", 2, "2019-09-12"),
        P("新闻发布厅", "cam_sony", 3, "2023-04-20", notes="机位 {k}"),
        P("新闻发布厅", "led_unilumin", 1, "2023-04-20", notes="背景屏 6.0 m × 3.0 m"),
        P("新闻发布厅", "novastar", 1, "2023-04-20"),
        P("新闻发布厅", "clickshare", 1, "2023-04-20"),
        P("中控室", "cp4n", 1, "2019-09-12", notes="控制 2号报告厅、新闻发布厅、贵宾接待室"),
        P("中控室", "matrix_kramer", 1, "2019-09-12"),
        P("中控室", "dsp", 1, "2019-09-12"),
        P("中控室", "sequencer", 2, "2019-09-12", notes="{k}# 时序器"),
        P("中控室", "s5130", 2, "2019-09-12"),
        P("中控室", "s5130", 1, None, None, "spare", "备机，已预配置 VLAN"),
        P("中控室", "nvr", 1, "2019-09-12"),
        P("中控室", "ups_apc", 1, "2019-09-12"),
        P("贵宾接待室", "display_sony", 1, "2022-05-16"),
        P("贵宾接待室", "spk_ceiling", 1, "2019-09-12", notes="按批登记：吸顶音箱 6 只"),
        P("贵宾接待室", "tsw1070", 1, "2019-09-12"),
        P("贵宾接待室", "ap", 1, "2019-09-12"),
    ],
    "dc": [
        P("A区机房", "r750", 6, "2022-11-08", notes="虚拟化集群节点 {k}"),
        P("A区机房", "2288h", 4, "2022-11-08", notes="数据库集群节点 {k}"),
        P("A区机房", "ce6881", 2, "2022-11-08", notes="A 列 TOR，M-LAG 成对"),
        P("A区机房", "pex4", 2, "2022-10-20", notes="{k}# 空调"),
        P("A区机房", "pdc", 2, "2022-10-20", notes="A 列 {k}# 列头柜"),
        P("A区机房", "th", 3, "2022-10-20", notes="冷通道 {k}"),
        P("A区机房", "cam_dome", 2, "2022-10-20"),
        P("A区机房", "kvm", 1, "2022-11-08"),
        P("B区机房", "nf5280", 4, "2024-06-18", notes="2024 年扩容，大数据平台节点 {k}"),
        P("B区机房", "dl380", 1, "2022-11-08", notes="备份服务器"),
        P("B区机房", "dl380", 1, None, None, "spare", "备机，存放于 B 区备件柜"),
        P("B区机房", "oceanstor", 1, "2022-11-08"),
        P("B区机房", "ce6881", 2, "2024-06-18", notes="B 列 TOR，M-LAG 成对"),
        P("B区机房", "crv", 1, "2024-06-18"),
        P("B区机房", "crv", 1, "2024-06-18", status="faulty",
          notes="EC 风机告警，已报厂家，待更换风机"),
        P("B区机房", "th", 2, "2024-06-18", notes="冷通道 {k}"),
        P("B区机房", "cam_dahua", 1, "2024-06-18"),
        P("网络间", "ce16804", 2, "2022-11-08", notes="{k}# 核心"),
        P("网络间", "usg", 2, "2022-11-08", notes="主备 HA，{k}# 防火墙"),
        P("网络间", "ar", 2, "2022-11-08", notes="{k}# 出口（电信 / 联通）"),
        P("网络间", "c9300", 2, "2022-11-08", notes="带外管理网"),
        P("UPS室", "ups_vertiv", 2, "2022-10-12", notes="2N 系统 {k}# 主机"),
        P("UPS室", "battery", 4, "2022-10-12", notes="第 {k} 组，12V 100Ah × 40 节"),
        P("UPS室", "rdu", 1, "2022-10-12"),
        P("UPS室", "th", 1, "2022-10-12"),
        P("配电室", "lv_cabinet", 3, "2022-09-28", notes="AA{k} 柜"),
        P("配电室", "ats", 2, "2022-09-28", notes="{k}# ATS"),
    ],
}
# fmt: on

SYSTEM_CODES = {
    "audio": "AUD",
    "video": "VID",
    "central_control": "CTL",
    "power": "PWR",
    "network": "NET",
    "server": "SRV",
    "other": "ENV",
}
