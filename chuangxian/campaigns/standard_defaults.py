"""The default templates of the two standards: each dimension of 五好 (organizations) and
五带头 (members) with quantified sub-items, drawn from 中国共产党支部工作条例（试行）(2018),
中国共产党党员教育管理工作条例 (2019), 党费收缴、使用和管理的规定 (2008) and the common practice
of 创先争优. A campaign starts from a copy of these; sectors refine them from there."""

from chuangxian.campaigns.dimensions import MemberDimension, OrgDimension

# dimension → [(内容, 量化要求)]
ORG_DEFAULTS: dict[str, list[tuple[str, str]]] = {
    OrgDimension.LEADERSHIP: [
        ("班子成员按期换届，职数配备齐全", "届满前完成换届，村、社区每届5年，其他3年"),
        ("每年召开组织生活会，开展批评和自我批评", "每年不少于1次，班子成员全部参加"),
        ("书记带头讲党课", "书记每年讲党课不少于1次"),
        ("班子成员联系服务群众", "每名班子成员联系群众不少于10户"),
    ],
    OrgDimension.MEMBERSHIP: [
        ("党员参加集中学习培训", "每名党员每年不少于32学时，班子成员不少于56学时"),
        ("按期足额交纳党费", "按月交纳，交纳率100%"),
        ("发展党员计划完成", "按年度发展计划完成，培养入党积极分子不少于2名"),
        ("开展民主评议党员", "每年1次，评议覆盖率100%"),
    ],
    OrgDimension.MECHANISM: [
        ("落实“三会一课”制度", "支部党员大会每季度1次，支委会、党小组会每月1次，党课每季度1次"),
        ("每月开展主题党日", "每月固定1天，全年不少于12次"),
        ("党务公开及时规范", "按季度公开，群众关心事项随时公开"),
        ("与每名党员开展谈心谈话", "每年不少于1次，覆盖率100%"),
    ],
    OrgDimension.PERFORMANCE: [
        ("完成年度中心工作任务", "上级下达的重点任务完成率100%"),
        ("为群众办实事", "每年为群众办实事不少于3件"),
        ("党员公开承诺兑现", "承诺事项兑现率不低于90%"),
    ],
    OrgDimension.REPUTATION: [
        ("群众满意度测评", "群众满意度不低于85%"),
        ("群众意见建议按期办结", "在规定期限内答复，办结率100%"),
        ("无重大群体性事件和违纪违法案件", "全年发生数为0"),
    ],
}

MEMBER_DEFAULTS: dict[str, list[tuple[str, str]]] = {
    MemberDimension.STUDY: [
        ("参加集中学习和党员教育培训", "每年不少于32学时"),
        ("按时参加“三会一课”和主题党日", "无故缺席不超过1次"),
        ("掌握岗位所需知识技能", "每年掌握1项以上实用技术或业务技能"),
    ],
    MemberDimension.EXCEL: [
        ("立足岗位争创佳绩", "年度工作考核称职以上"),
        ("兑现公开承诺", "承诺事项按期兑现"),
    ],
    MemberDimension.SERVE: [
        ("联系服务群众", "每名党员联系群众不少于3户"),
        ("参加志愿服务活动", "每年不少于4次"),
    ],
    MemberDimension.DISCIPLINE: [
        ("遵守党章党规和国家法律法规", "全年无违纪违法行为"),
        ("按时交纳党费", "按月交纳，不拖欠"),
    ],
    MemberDimension.INTEGRITY: [
        ("敢于同不良风气作斗争", "主动劝阻、反映不良现象"),
        ("参加民主评议，开展批评与自我批评", "每年参加组织生活会和民主评议"),
    ],
}
