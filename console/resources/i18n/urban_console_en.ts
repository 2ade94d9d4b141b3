<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>Action</name>
    <message>
        <source>上报</source>
        <translation>Report</translation>
    </message>
    <message>
        <source>自处理上报</source>
        <translation>Report as self-handled</translation>
    </message>
    <message>
        <source>受理批转</source>
        <translation>Accept and forward</translation>
    </message>
    <message>
        <source>发核实</source>
        <translation>Send for verification</translation>
    </message>
    <message>
        <source>核实属实</source>
        <translation>Verified: true</translation>
    </message>
    <message>
        <source>核实不属实</source>
        <translation>Verified: not true</translation>
    </message>
    <message>
        <source>不予受理</source>
        <translation>Refuse intake</translation>
    </message>
    <message>
        <source>自处理审核通过</source>
        <translation>Approve self-handling</translation>
    </message>
    <message>
        <source>立案</source>
        <translation>File</translation>
    </message>
    <message>
        <source>不予立案</source>
        <translation>Refuse filing</translation>
    </message>
    <message>
        <source>派遣</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <source>申请回退</source>
        <translation>Request return</translation>
    </message>
    <message>
        <source>同意回退</source>
        <translation>Approve return</translation>
    </message>
    <message>
        <source>驳回回退</source>
        <translation>Reject return</translation>
    </message>
    <message>
        <source>申请延期</source>
        <translation>Request extension</translation>
    </message>
    <message>
        <source>同意延期</source>
        <translation>Approve extension</translation>
    </message>
    <message>
        <source>驳回延期</source>
        <translation>Reject extension</translation>
    </message>
    <message>
        <source>申请挂账</source>
        <translation>Request hang</translation>
    </message>
    <message>
        <source>同意挂账</source>
        <translation>Approve hang</translation>
    </message>
    <message>
        <source>驳回挂账</source>
        <translation>Reject hang</translation>
    </message>
    <message>
        <source>挂账恢复</source>
        <translation>Resume hung case</translation>
    </message>
    <message>
        <source>申请作废</source>
        <translation>Request cancellation</translation>
    </message>
    <message>
        <source>同意作废</source>
        <translation>Approve cancellation</translation>
    </message>
    <message>
        <source>驳回作废</source>
        <translation>Reject cancellation</translation>
    </message>
    <message>
        <source>处置反馈</source>
        <translation>Disposal feedback</translation>
    </message>
    <message>
        <source>核查通过</source>
        <translation>Check passed</translation>
    </message>
    <message>
        <source>核查不通过</source>
        <translation>Check failed</translation>
    </message>
    <message>
        <source>结案</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>催办</source>
        <translation>Urge</translation>
    </message>
    <message>
        <source>督办</source>
        <translation>Supervise</translation>
    </message>
    <message>
        <source>督办回复</source>
        <translation>Reply to supervision</translation>
    </message>
    <message>
        <source>催办回复</source>
        <translation>Reply to urge</translation>
    </message>
    <message>
        <source>重新分类</source>
        <translation>Reclassify</translation>
    </message>
    <message>
        <source>挂账作废</source>
        <translation>Cancel hung case</translation>
    </message>
</context>
<context>
    <name>ActionDialog</name>
    <message>
        <source>4 工作时</source>
        <translation>4 work hours</translation>
    </message>
    <message>
        <source>1 工作日</source>
        <translation>1 work day</translation>
    </message>
    <message>
        <source>2 工作日</source>
        <translation>2 work days</translation>
    </message>
    <message>
        <source>理由（必填）</source>
        <translation>Reason (required)</translation>
    </message>
    <message>
        <source>意见/说明</source>
        <translation>Comment / note</translation>
    </message>
    <message>
        <source>立案条件</source>
        <translation>Filing condition</translation>
    </message>
    <message>
        <source>紧急程度</source>
        <translation>Urgency</translation>
    </message>
    <message>
        <source>{condition}（{limits}）</source>
        <translation>{condition} ({limits})</translation>
    </message>
    <message>
        <source>{code} {name}（{major}）</source>
        <translation>{code} {name} ({major})</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>（建议）</source>
        <translation> (suggested)</translation>
    </message>
    <message>
        <source>处置部门</source>
        <translation>Disposing department</translation>
    </message>
    <message>
        <source>工作时</source>
        <translation>working hours</translation>
    </message>
    <message>
        <source>工作日</source>
        <translation>working days</translation>
    </message>
    <message>
        <source>小时</source>
        <translation>hours</translation>
    </message>
    <message>
        <source>天</source>
        <translation>days</translation>
    </message>
    <message>
        <source>延期时长</source>
        <translation>Extension</translation>
    </message>
    <message>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <source>按处置时钟自动判定（正常/超时）</source>
        <translation>Decided by the disposal clock (normal / overdue)</translation>
    </message>
    <message>
        <source>结案类型</source>
        <translation>Closing type</translation>
    </message>
    <message>
        <source>其他…</source>
        <translation>Other…</translation>
    </message>
    <message>
        <source>如 6wh 或 3wd（工作时间）</source>
        <translation>e.g. 6wh or 3wd (work time)</translation>
    </message>
    <message>
        <source>回复期限</source>
        <translation>Reply within</translation>
    </message>
    <message>
        <source>其他期限</source>
        <translation>Other deadline</translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <source>全部提醒</source>
        <translation>All alerts</translation>
    </message>
    <message>
        <source>红灯提醒</source>
        <translation>Red-light alerts</translation>
    </message>
    <message>
        <source>黄灯提醒</source>
        <translation>Yellow-light alerts</translation>
    </message>
    <message>
        <source>全部街道</source>
        <translation>All streets</translation>
    </message>
    <message>
        <source>全部确认</source>
        <translation>Acknowledge all</translation>
    </message>
    <message>
        <source>另有 {n} 条提醒</source>
        <translation>{n} more alerts</translation>
    </message>
    <message>
        <source>没有符合筛选的提醒（共 {n} 条）</source>
        <translation>No alert matches the filter ({n} in all)</translation>
    </message>
    <message>
        <source>全部确认（{n} 条）</source>
        <translation>Acknowledge all ({n})</translation>
    </message>
    <message>
        <source>超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>剩余 {time}</source>
        <translation>{time} remaining</translation>
    </message>
    <message>
        <source>网格 {code}</source>
        <translation>Grid {code}</translation>
    </message>
    <message>
        <source>未派遣</source>
        <translation>Not dispatched</translation>
    </message>
    <message>
        <source>确认</source>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <source>定位</source>
        <translation>Locate</translation>
    </message>
</context>
<context>
    <name>CameraIdField</name>
    <message>
        <source>中心编码</source>
        <translation>Centre code</translation>
    </message>
    <message>
        <source>行业编码</source>
        <translation>Industry code</translation>
    </message>
    <message>
        <source>类型编码</source>
        <translation>Type code</translation>
    </message>
    <message>
        <source>网络标识</source>
        <translation>Network</translation>
    </message>
    <message>
        <source>设备序号</source>
        <translation>Serial</translation>
    </message>
</context>
<context>
    <name>CameraStatus</name>
    <message>
        <source>在线</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>故障</source>
        <translation>Fault</translation>
    </message>
</context>
<context>
    <name>CameraStatusView</name>
    <message>
        <source>视频监控点位状态</source>
        <translation>Camera status</translation>
    </message>
</context>
<context>
    <name>CameraWall</name>
    <message>
        <source>视频监控</source>
        <translation>Video surveillance</translation>
    </message>
</context>
<context>
    <name>CaseDetailPanel</name>
    <message>
        <source>{label}（{key}）</source>
        <translation>{label} ({key})</translation>
    </message>
    <message>
        <source>未选择案件
在队列中选择一件案件查看详情</source>
        <translation>No case selected
Select a case in the queue to see its details</translation>
    </message>
    <message>
        <source>照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <source>环节时钟</source>
        <translation>Step clocks</translation>
    </message>
    <message>
        <source>催办 / 督办</source>
        <translation>Urging / supervision</translation>
    </message>
    <message>
        <source>处理记录</source>
        <translation>History</translation>
    </message>
    <message>
        <source>操作</source>
        <translation>Actions</translation>
    </message>
    <message>
        <source>当前角色对此案件无可用操作</source>
        <translation>Your role has no action on this case</translation>
    </message>
    <message>
        <source>案件信息</source>
        <translation>Case facts</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>立案条件</source>
        <translation>Filing condition</translation>
    </message>
    <message>
        <source>处置时限</source>
        <translation>Disposal limit</translation>
    </message>
    <message>
        <source>紧急程度</source>
        <translation>Urgency</translation>
    </message>
    <message>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>上报时间</source>
        <translation>Reported at</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>网格</source>
        <translation>Grid</translation>
    </message>
    <message>
        <source>处置部门</source>
        <translation>Disposing department</translation>
    </message>
    <message>
        <source>报告人</source>
        <translation>Reporter</translation>
    </message>
    <message>
        <source>回退/延期/返工</source>
        <translation>Returns / extensions / rework</translation>
    </message>
    <message>
        <source>结案</source>
        <translation>Closing</translation>
    </message>
    <message>
        <source>描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>暂停</source>
        <translation>Paused</translation>
    </message>
    <message>
        <source> · 待批{pending}申请</source>
        <translation> · {pending} request awaiting approval</translation>
    </message>
    <message>
        <source>，</source>
        <translation>, </translation>
    </message>
    <message>
        <source>未分类</source>
        <translation>Unclassified</translation>
    </message>
    <message>
        <source>（未立案）</source>
        <translation>(not filed)</translation>
    </message>
    <message>
        <source>（{others}）</source>
        <translation> ({others})</translation>
    </message>
    <message>
        <source> · 自处理</source>
        <translation> · self-handled</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>文件不存在: </source>
        <translation>File not found: </translation>
    </message>
    <message>
        <source>环节</source>
        <translation>Step</translation>
    </message>
    <message>
        <source>时限</source>
        <translation>Limit</translation>
    </message>
    <message>
        <source>开始</source>
        <translation>Started</translation>
    </message>
    <message>
        <source>截止 / 结束</source>
        <translation>Due / ended</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>第{n}轮</source>
        <translation>round {n}</translation>
    </message>
    <message>
        <source>用时</source>
        <translation>took</translation>
    </message>
    <message>
        <source>+延期</source>
        <translation> + extension</translation>
    </message>
    <message>
        <source>{name}（{role}）</source>
        <translation>{name} ({role})</translation>
    </message>
    <message>
        <source>督办</source>
        <translation>Supervision</translation>
    </message>
    <message>
        <source>催办</source>
        <translation>Urging</translation>
    </message>
    <message>
        <source>：</source>
        <translation>: </translation>
    </message>
    <message>
        <source>已回复</source>
        <translation>Replied</translation>
    </message>
    <message>
        <source>待回复，期限</source>
        <translation>Reply due by</translation>
    </message>
    <message>
        <source>{kind} ×{n}（已回复 {replied}）</source>
        <translation>{kind} ×{n} ({replied} answered)</translation>
    </message>
</context>
<context>
    <name>CaseMapView</name>
    <message>
        <source>内网底图</source>
        <translation>Intranet basemap</translation>
    </message>
    <message>
        <source>本地底图</source>
        <translation>Local basemap</translation>
    </message>
</context>
<context>
    <name>CaseQueueModel</name>
    <message>
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <source>灯</source>
        <translation>Light</translation>
    </message>
    <message>
        <source>案件号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>网格</source>
        <translation>Grid</translation>
    </message>
    <message>
        <source>街道</source>
        <translation>Street</translation>
    </message>
    <message>
        <source>部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>环节</source>
        <translation>Step</translation>
    </message>
    <message>
        <source>剩余</source>
        <translation>Remaining</translation>
    </message>
    <message>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>上报时间</source>
        <translation>Reported</translation>
    </message>
    <message>
        <source>超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>暂停</source>
        <translation>Paused</translation>
    </message>
    <message>
        <source>·申请{pending}</source>
        <translation> · {pending} requested</translation>
    </message>
    <message>
        <source>未分类</source>
        <translation>Unclassified</translation>
    </message>
</context>
<context>
    <name>CaseQueuePanel</name>
    <message>
        <source>全部街道</source>
        <translation>All streets</translation>
    </message>
    <message>
        <source>全部类别</source>
        <translation>All categories</translation>
    </message>
    <message>
        <source>全部来源</source>
        <translation>All sources</translation>
    </message>
    <message>
        <source>全部部门</source>
        <translation>All departments</translation>
    </message>
    <message>
        <source>全部社区</source>
        <translation>All communities</translation>
    </message>
    <message>
        <source>全部网格</source>
        <translation>All grids</translation>
    </message>
    <message>
        <source>全部灯</source>
        <translation>All lights</translation>
    </message>
    <message>
        <source>起始日期</source>
        <translation>From</translation>
    </message>
    <message>
        <source>截止日期</source>
        <translation>To</translation>
    </message>
    <message>
        <source>案件号/地址</source>
        <translation>Case no. / address</translation>
    </message>
    <message>
        <source>清除筛选</source>
        <translation>Clear filters</translation>
    </message>
    <message>
        <source>清除全部筛选条件</source>
        <translation>Clear every filter</translation>
    </message>
    <message numerus="yes">
        <source>共 %n 条</source>
        <translation>
            <numerusform>%n case</numerusform>
            <numerusform>%n cases</numerusform>
        </translation>
    </message>
    <message>
        <source>没有与“%1”匹配的案件</source>
        <translation>No case matches “%1”</translation>
    </message>
    <message>
        <source>没有符合筛选条件的案件</source>
        <translation>No case matches the filters</translation>
    </message>
    <message>
        <source>（其他环节 %1 件，见“全部”）</source>
        <translation> (%1 in other steps, see “All”)</translation>
    </message>
</context>
<context>
    <name>ClockOutcome</name>
    <message>
        <source>按时</source>
        <translation>On time</translation>
    </message>
    <message>
        <source>超时</source>
        <translation>Late</translation>
    </message>
    <message>
        <source>回退</source>
        <translation>Returned</translation>
    </message>
    <message>
        <source>作废</source>
        <translation>Cancelled</translation>
    </message>
</context>
<context>
    <name>CloseType</name>
    <message>
        <source>正常</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>差错</source>
        <translation>Erroneous</translation>
    </message>
    <message>
        <source>特殊</source>
        <translation>Special</translation>
    </message>
    <message>
        <source>自处理</source>
        <translation>Self-handled</translation>
    </message>
</context>
<context>
    <name>FeedReason</name>
    <message>
        <source>未启动</source>
        <translation>not started</translation>
    </message>
    <message>
        <source>已停止</source>
        <translation>stopped</translation>
    </message>
    <message>
        <source>超过 {s} 秒未收到数据库应答</source>
        <translation>no answer from the database for over {s} s</translation>
    </message>
    <message>
        <source>无法连接数据库，正在重试</source>
        <translation>cannot reach the database, retrying</translation>
    </message>
    <message>
        <source>与数据库的连接中断，正在重连</source>
        <translation>connection to the database lost, reconnecting</translation>
    </message>
</context>
<context>
    <name>Flag</name>
    <message>
        <source>红旗</source>
        <translation>Red flag</translation>
    </message>
    <message>
        <source>黑旗</source>
        <translation>Black flag</translation>
    </message>
</context>
<context>
    <name>HeatMode</name>
    <message>
        <source>未结案件</source>
        <translation>Open cases</translation>
    </message>
    <message>
        <source>超期案件</source>
        <translation>Overdue cases</translation>
    </message>
</context>
<context>
    <name>Kind</name>
    <message>
        <source>部件</source>
        <translation>Component</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Event</translation>
    </message>
</context>
<context>
    <name>KpiTile</name>
    <message>
        <source>较昨日 {change}</source>
        <translation>vs yesterday {change}</translation>
    </message>
</context>
<context>
    <name>LeaderSeat</name>
    <message>
        <source>今日</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>本周</source>
        <translation>This week</translation>
    </message>
    <message>
        <source>本月</source>
        <translation>This month</translation>
    </message>
    <message>
        <source>上报</source>
        <translation>Reported</translation>
    </message>
    <message>
        <source>立案</source>
        <translation>Filed</translation>
    </message>
    <message>
        <source>结案</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>按期结案率</source>
        <translation>On-time close rate</translation>
    </message>
    <message>
        <source>超期未结</source>
        <translation>Overdue open</translation>
    </message>
    <message>
        <source>督办</source>
        <translation>Supervised</translation>
    </message>
    <message>
        <source>结案率</source>
        <translation>Close rate</translation>
    </message>
    <message>
        <source>按时处置率</source>
        <translation>On-time disposal rate</translation>
    </message>
    <message>
        <source>返工率</source>
        <translation>Rework rate</translation>
    </message>
    <message>
        <source>督办按时回复率</source>
        <translation>Supervision replies on time</translation>
    </message>
    <message>
        <source>街道</source>
        <translation>Street</translation>
    </message>
    <message>
        <source>二级路长</source>
        <translation>Second-level road chief</translation>
    </message>
    <message>
        <source>责任单位</source>
        <translation>Responsible unit</translation>
    </message>
    <message>
        <source>{h}工作时{m}分</source>
        <translation>{h} work h {m} min</translation>
    </message>
    <message>
        <source>{m}工作分</source>
        <translation>{m} work min</translation>
    </message>
    <message>
        <source>剩余 {t}</source>
        <translation>{t} left</translation>
    </message>
    <message>
        <source>超时 {t}</source>
        <translation>{t} over</translation>
    </message>
    <message>
        <source>数字城管监督指挥中心 · 指挥长席 · {db}</source>
        <translation>Urban management command centre · Leader seat · {db}</translation>
    </message>
    <message>
        <source>数据库无响应：显示的数字可能已过时</source>
        <translation>The database does not answer: the figures shown may be out of date</translation>
    </message>
    <message>
        <source>超期未结 · 按部门</source>
        <translation>Overdue open · by department</translation>
    </message>
    <message>
        <source>指挥长席</source>
        <translation>Leader seat</translation>
    </message>
    <message>
        <source>{period}（{key}）</source>
        <translation>{period} ({key})</translation>
    </message>
    <message>
        <source>数据 —</source>
        <translation>Data —</translation>
    </message>
    <message>
        <source>名次</source>
        <translation>Rank</translation>
    </message>
    <message>
        <source>得分</source>
        <translation>Score</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Grade</translation>
    </message>
    <message>
        <source>本月路长旗</source>
        <translation>Road chief flag (month)</translation>
    </message>
    <message>
        <source>街道排名（得分 · 等级 · 本月路长旗）&#x3000;Enter 查看案件</source>
        <translation>Street ranking (score · grade · road chief flag of the month)   Enter shows the cases</translation>
    </message>
    <message>
        <source>部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>部门排名（结案率 · 按时处置率 · 返工率 · 督办按时回复率 · 等级）</source>
        <translation>Department ranking (close rate · on-time disposal · rework · supervision replies on time · grade)</translation>
    </message>
    <message>
        <source>案件</source>
        <translation>Case</translation>
    </message>
    <message>
        <source>回复时限</source>
        <translation>Reply due</translation>
    </message>
    <message>
        <source>回复</source>
        <translation>Reply</translation>
    </message>
    <message>
        <source>剩余工作时间</source>
        <translation>Work time left</translation>
    </message>
    <message>
        <source>督办理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>督办（回复状态 · 剩余工作时间）</source>
        <translation>Supervision (reply status · work time left)</translation>
    </message>
    <message>
        <source>旗</source>
        <translation>Flag</translation>
    </message>
    <message>
        <source>序列</source>
        <translation>Sequence</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>本月红黑旗 · 问责预警</source>
        <translation>This month&apos;s flags · accountability warnings</translation>
    </message>
    <message>
        <source>系统</source>
        <translation>System</translation>
    </message>
    <message>
        <source>注销</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>视图</source>
        <translation>View</translation>
    </message>
    <message>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>读取失败：{message}</source>
        <translation>Read failed: {message}</translation>
    </message>
    <message>
        <source>{current}&#x3000;对比 {previous}</source>
        <translation>{current}   vs {previous}</translation>
    </message>
    <message>
        <source>数据 {time}</source>
        <translation>Data {time}</translation>
    </message>
    <message>
        <source>{month} 红黑旗 · 问责预警</source>
        <translation>{month} flags · accountability warnings</translation>
    </message>
    <message>
        <source>问责预警：{name}（{sequence}）{reason}</source>
        <translation>Accountability warning: {name} ({sequence}) {reason}</translation>
    </message>
    <message>
        <source>本月无问责预警</source>
        <translation>No accountability warning this month</translation>
    </message>
    <message>
        <source>请填写{action}理由 (a reason is required)</source>
        <translation>{action}: a reason is required</translation>
    </message>
    <message>
        <source>{action}：案件 {number} 已完成</source>
        <translation>{action}: case {number} done</translation>
    </message>
    <message>
        <source>无法确认</source>
        <translation>Not confirmed</translation>
    </message>
</context>
<context>
    <name>Light</name>
    <message>
        <source>绿灯</source>
        <translation>Green light</translation>
    </message>
    <message>
        <source>黄灯</source>
        <translation>Yellow light</translation>
    </message>
    <message>
        <source>红灯</source>
        <translation>Red light</translation>
    </message>
</context>
<context>
    <name>LightMeaning</name>
    <message>
        <source>正常</source>
        <translation>On track</translation>
    </message>
    <message>
        <source>将到期</source>
        <translation>Due soon</translation>
    </message>
    <message>
        <source>超时</source>
        <translation>Overdue</translation>
    </message>
</context>
<context>
    <name>LightWord</name>
    <message>
        <source>绿</source>
        <translation>Green</translation>
    </message>
    <message>
        <source>黄</source>
        <translation>Yellow</translation>
    </message>
    <message>
        <source>红</source>
        <translation>Red</translation>
    </message>
</context>
<context>
    <name>LimitUnit</name>
    <message>
        <source>{n}工作日</source>
        <translation>{n} working day(s)</translation>
    </message>
    <message>
        <source>{n}工作小时</source>
        <translation>{n} working hour(s)</translation>
    </message>
    <message>
        <source>{n}工作分钟</source>
        <translation>{n} working min</translation>
    </message>
    <message>
        <source>{n}天</source>
        <translation>{n} day(s)</translation>
    </message>
    <message>
        <source>{n}小时</source>
        <translation>{n} hour(s)</translation>
    </message>
    <message>
        <source>{n}分钟</source>
        <translation>{n} min</translation>
    </message>
</context>
<context>
    <name>MapPage</name>
    <message>
        <source>网格 {code}</source>
        <translation>Grid {code}</translation>
    </message>
    <message>
        <source>摄像头</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>摄像头 {name}</source>
        <translation>Camera {name}</translation>
    </message>
    <message>
        <source>图例</source>
        <translation>Legend</translation>
    </message>
    <message>
        <source>网格热力</source>
        <translation>Grid heat</translation>
    </message>
    <message>
        <source>{range} 件</source>
        <translation>{range} cases</translation>
    </message>
    <message>
        <source>底图</source>
        <translation>Basemap</translation>
    </message>
    <message>
        <source>街道</source>
        <translation>Streets</translation>
    </message>
    <message>
        <source>社区</source>
        <translation>Communities</translation>
    </message>
    <message>
        <source>单元网格</source>
        <translation>Unit grids</translation>
    </message>
    <message>
        <source>案件</source>
        <translation>Cases</translation>
    </message>
    <message>
        <source>摄像头</source>
        <comment>layer</comment>
        <translation>Cameras</translation>
    </message>
    <message>
        <source>自动适配视野（操作员拖动地图后暂停）</source>
        <translation>Fit the view automatically (paused once the operator drags the map)</translation>
    </message>
    <message>
        <source>⤢ 自动适配</source>
        <translation>⤢ Auto fit</translation>
    </message>
    <message>
        <source>故障{n}</source>
        <translation>Fault {n}</translation>
    </message>
    <message>
        <source>离线{n}</source>
        <translation>Offline {n}</translation>
    </message>
    <message>
        <source>{rank} · {metres} 米</source>
        <translation>{rank} · {metres} m</translation>
    </message>
</context>
<context>
    <name>NearestCamerasPanel</name>
    <message>
        <source>附近摄像头</source>
        <translation>Nearby cameras</translation>
    </message>
    <message>
        <source>附近摄像头（{m} 米内 {n} 个）</source>
        <translation>Nearby cameras ({n} within {m} m)</translation>
    </message>
    <message>
        <source>{rank}. {name} · {metres} 米 · {mark} {status}</source>
        <translation>{rank}. {name} · {metres} m · {mark} {status}</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <source>新建案件</source>
        <translation>New case</translation>
    </message>
    <message>
        <source>输入类别名称或编码搜索</source>
        <translation>Search by category name or code</translation>
    </message>
    <message>
        <source>（由位置自动确定网格）</source>
        <translation>(the grid follows from the location)</translation>
    </message>
    <message>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>经度</source>
        <translation>Longitude</translation>
    </message>
    <message>
        <source>纬度</source>
        <translation>Latitude</translation>
    </message>
    <message>
        <source>网格</source>
        <translation>Grid</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>问题描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>诉求人</source>
        <translation>Caller</translation>
    </message>
    <message>
        <source>联系电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>{code} {name}（{major}）</source>
        <translation>{code} {name} ({major})</translation>
    </message>
    <message>
        <source>请选择类别 (no category chosen)</source>
        <translation>Choose a category (no category chosen)</translation>
    </message>
</context>
<context>
    <name>OverdueChart</name>
    <message>
        <source>超期未结案件数</source>
        <translation>Open overdue cases</translation>
    </message>
</context>
<context>
    <name>Pending</name>
    <message>
        <source>回退</source>
        <translation>Return</translation>
    </message>
    <message>
        <source>延期</source>
        <translation>Extension</translation>
    </message>
    <message>
        <source>挂账</source>
        <translation>Hang</translation>
    </message>
    <message>
        <source>作废</source>
        <translation>Cancellation</translation>
    </message>
</context>
<context>
    <name>PtzType</name>
    <message>
        <source>未知</source>
        <translation>Unknown</translation>
    </message>
    <message>
        <source>球机</source>
        <translation>Dome</translation>
    </message>
    <message>
        <source>半球</source>
        <translation>Half dome</translation>
    </message>
    <message>
        <source>固定枪机</source>
        <translation>Fixed bullet</translation>
    </message>
    <message>
        <source>遥控枪机</source>
        <translation>PTZ bullet</translation>
    </message>
    <message>
        <source>遥控半球</source>
        <translation>PTZ half dome</translation>
    </message>
</context>
<context>
    <name>ReportMenu</name>
    <message>
        <source>打印预览</source>
        <translation>Print preview</translation>
    </message>
    <message>
        <source>打印</source>
        <translation>Print</translation>
    </message>
    <message>
        <source>报表生成失败：</source>
        <translation>The report could not be made: </translation>
    </message>
</context>
<context>
    <name>Role</name>
    <message>
        <source>监督员</source>
        <translation>Inspector</translation>
    </message>
    <message>
        <source>受理员</source>
        <translation>Intake operator</translation>
    </message>
    <message>
        <source>值班长</source>
        <translation>Shift lead</translation>
    </message>
    <message>
        <source>派遣员</source>
        <translation>Dispatcher</translation>
    </message>
    <message>
        <source>专业部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>街道指挥席</source>
        <translation>Street seat</translation>
    </message>
    <message>
        <source>指挥长</source>
        <translation>Commander</translation>
    </message>
    <message>
        <source>管理员</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <source>大屏</source>
        <translation>Wall</translation>
    </message>
</context>
<context>
    <name>ScopeCasesDialog</name>
    <message>
        <source>街道</source>
        <translation>Street</translation>
    </message>
    <message>
        <source>部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>{kind} {name} · 未结案件 {n} 件</source>
        <translation>{kind} {name} · {n} open cases</translation>
    </message>
    <message>
        <source>灯</source>
        <translation>Light</translation>
    </message>
    <message>
        <source>案件编号</source>
        <translation>Case number</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <source>当前环节</source>
        <translation>Current step</translation>
    </message>
    <message>
        <source>时限至</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>处置部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>督办 {s}&#x3000;催办 {u}&#x3000;关闭 Esc</source>
        <translation>Supervise {s}   Urge {u}   Close Esc</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>数字城管监督指挥中心 · 登录</source>
        <translation>Digital Urban Management Command Center · Sign in</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>席位</source>
        <translation>Seat</translation>
    </message>
    <message>
        <source>登录</source>
        <translation>Sign in</translation>
    </message>
</context>
<context>
    <name>Source</name>
    <message>
        <source>监督员上报</source>
        <translation>Inspector report</translation>
    </message>
    <message>
        <source>12345 热线</source>
        <translation>12345 hotline</translation>
    </message>
    <message>
        <source>来访</source>
        <translation>Walk-in</translation>
    </message>
    <message>
        <source>视频巡查</source>
        <translation>Video patrol</translation>
    </message>
    <message>
        <source>领导交办</source>
        <translation>Assigned by leaders</translation>
    </message>
    <message>
        <source>媒体曝光</source>
        <translation>Media report</translation>
    </message>
</context>
<context>
    <name>State</name>
    <message>
        <source>待受理</source>
        <translation>Awaiting intake</translation>
    </message>
    <message>
        <source>待核实</source>
        <translation>Awaiting verification</translation>
    </message>
    <message>
        <source>待立案</source>
        <translation>Awaiting filing</translation>
    </message>
    <message>
        <source>待派遣</source>
        <translation>Awaiting dispatch</translation>
    </message>
    <message>
        <source>处置中</source>
        <translation>Disposing</translation>
    </message>
    <message>
        <source>挂账</source>
        <translation>Hung</translation>
    </message>
    <message>
        <source>待核查</source>
        <translation>Awaiting check</translation>
    </message>
    <message>
        <source>待结案</source>
        <translation>Awaiting closing</translation>
    </message>
    <message>
        <source>已结案</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>已作废</source>
        <translation>Cancelled</translation>
    </message>
</context>
<context>
    <name>Step</name>
    <message>
        <source>受理</source>
        <translation>Intake</translation>
    </message>
    <message>
        <source>核实</source>
        <translation>Verification</translation>
    </message>
    <message>
        <source>立案</source>
        <translation>Filing</translation>
    </message>
    <message>
        <source>派遣</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <source>处置</source>
        <translation>Disposal</translation>
    </message>
    <message>
        <source>核查</source>
        <translation>Check</translation>
    </message>
    <message>
        <source>结案</source>
        <translation>Closing</translation>
    </message>
    <message>
        <source>督办回复</source>
        <translation>Supervision reply</translation>
    </message>
</context>
<context>
    <name>StreetFigures</name>
    <message>
        <source>数据读取中…</source>
        <translation>Reading data…</translation>
    </message>
    <message>
        <source>路段 · 路长 · 本月得分 · 在办问题</source>
        <translation>Segments · chiefs · this month&apos;s score · open problems</translation>
    </message>
    <message>
        <source>{street} · 数据 {time}</source>
        <translation>{street} · data {time}</translation>
    </message>
</context>
<context>
    <name>StreetSeat</name>
    <message>
        <source>今日</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>本周</source>
        <translation>This week</translation>
    </message>
    <message>
        <source>本月</source>
        <translation>This month</translation>
    </message>
    <message>
        <source>较昨日</source>
        <translation>vs yesterday</translation>
    </message>
    <message>
        <source>较上周</source>
        <translation>vs last week</translation>
    </message>
    <message>
        <source>较上月</source>
        <translation>vs last month</translation>
    </message>
    <message>
        <source>路段</source>
        <translation>Segment</translation>
    </message>
    <message>
        <source>道路</source>
        <translation>Road</translation>
    </message>
    <message>
        <source>二级路长</source>
        <translation>Second-level road chief</translation>
    </message>
    <message>
        <source>路段长</source>
        <translation>Segment chief</translation>
    </message>
    <message>
        <source>本月得分</source>
        <translation>Score this month</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Grade</translation>
    </message>
    <message>
        <source>在办问题</source>
        <translation>Open problems</translation>
    </message>
    <message>
        <source>{street} 街道指挥席 · 工作摘要</source>
        <translation>{street} street seat · summary</translation>
    </message>
    <message>
        <source>生成时间 {time}</source>
        <translation>Generated {time}</translation>
    </message>
    <message>
        <source>一、案件数据</source>
        <translation>1. Cases</translation>
    </message>
    <message>
        <source>指标</source>
        <translation>Figure</translation>
    </message>
    <message>
        <source>二、路段（路长、本月得分、在办问题）</source>
        <translation>2. Road segments (chiefs, this month&apos;s score, open problems)</translation>
    </message>
    <message>
        <source>本街道没有登记路段</source>
        <translation>No road segments registered for this street</translation>
    </message>
    <message>
        <source>{seat} — 数字城管监督指挥中心 · {db}</source>
        <translation>{seat} — Urban management command centre · {db}</translation>
    </message>
    <message>
        <source>街道指挥席 · {street}</source>
        <translation>Street seat · {street}</translation>
    </message>
    <message>
        <source>街道指挥席</source>
        <translation>Street seat</translation>
    </message>
    <message>
        <source>催办</source>
        <translation>Urge</translation>
    </message>
    <message>
        <source>督办</source>
        <translation>Supervise</translation>
    </message>
    <message>
        <source>复制摘要</source>
        <translation>Copy summary</translation>
    </message>
    <message>
        <source>打印摘要…</source>
        <translation>Print summary…</translation>
    </message>
    <message>
        <source>存为 PDF…</source>
        <translation>Save as PDF…</translation>
    </message>
    <message>
        <source>街道数据</source>
        <translation>Street figures</translation>
    </message>
    <message>
        <source>{action}（{key}）</source>
        <translation>{action} ({key})</translation>
    </message>
    <message>
        <source>报表</source>
        <translation>Reports</translation>
    </message>
    <message>
        <source>街道摘要</source>
        <translation>Street summary</translation>
    </message>
    <message>
        <source>复制街道摘要</source>
        <translation>Copy street summary</translation>
    </message>
    <message>
        <source>打印街道摘要…</source>
        <translation>Print street summary…</translation>
    </message>
    <message>
        <source>街道摘要存为 PDF…</source>
        <translation>Save street summary as PDF…</translation>
    </message>
    <message>
        <source>刷新街道数据</source>
        <translation>Refresh street figures</translation>
    </message>
    <message>
        <source>街道摘要已复制到剪贴板</source>
        <translation>Street summary copied to the clipboard</translation>
    </message>
    <message>
        <source>街道摘要存为 PDF</source>
        <translation>Save street summary as PDF</translation>
    </message>
    <message>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>街道摘要已保存：{path}</source>
        <translation>Street summary saved: {path}</translation>
    </message>
</context>
<context>
    <name>SupervisionStatus</name>
    <message>
        <source>待回复</source>
        <translation>Awaiting reply</translation>
    </message>
    <message>
        <source>按时回复</source>
        <translation>Replied on time</translation>
    </message>
    <message>
        <source>超时回复</source>
        <translation>Replied late</translation>
    </message>
    <message>
        <source>未回复</source>
        <translation>No reply</translation>
    </message>
</context>
<context>
    <name>Tile</name>
    <message>
        <source>较上期 {change}</source>
        <translation>vs previous {change}</translation>
    </message>
</context>
<context>
    <name>Urgency</name>
    <message>
        <source>一般</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>紧急</source>
        <translation>Urgent</translation>
    </message>
    <message>
        <source>特急</source>
        <translation>Critical</translation>
    </message>
</context>
<context>
    <name>VideoPatrolDialog</name>
    <message>
        <source>视频巡查上报</source>
        <translation>Report from video patrol</translation>
    </message>
    <message>
        <source>{id} {name}</source>
        <translation>{id} {name}</translation>
    </message>
    <message>
        <source>摄像头</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>截图</source>
        <translation>Snapshot</translation>
    </message>
</context>
<context>
    <name>VideoView</name>
    <message>
        <source>截图取证 (Ctrl+S)</source>
        <translation>Snapshot as evidence (Ctrl+S)</translation>
    </message>
    <message>
        <source>视频巡查上报 (F9)</source>
        <translation>Report from video (F9)</translation>
    </message>
    <message>
        <source>（无视频流地址）</source>
        <translation>(no stream URL)</translation>
    </message>
    <message>
        <source>{id} · {url}</source>
        <translation>{id} · {url}</translation>
    </message>
    <message>
        <source>{name} · {id}</source>
        <translation>{name} · {id}</translation>
    </message>
    <message>
        <source>同时播放路数已达上限，请先关闭其他画面 (player limit reached)</source>
        <translation>Player limit reached: close another view first</translation>
    </message>
    <message>
        <source>连接中</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <source>播放中</source>
        <translation>Playing</translation>
    </message>
    <message>
        <source>重连中</source>
        <translation>Reconnecting</translation>
    </message>
    <message>
        <source>无法播放</source>
        <translation>Cannot play</translation>
    </message>
    <message>
        <source>{error}；{s} 秒后重连</source>
        <translation>{error}; reconnecting in {s} s</translation>
    </message>
    <message>
        <source>还没有画面，不能截图 (no picture yet)</source>
        <translation>No picture yet: nothing to snapshot</translation>
    </message>
    <message>
        <source>画面为空白或默认图，不能作为证据 (blank or default image: not evidence)</source>
        <translation>The picture is blank or a default image: not evidence</translation>
    </message>
</context>
<context>
    <name>WallWindow</name>
    <message>
        <source>全区</source>
        <translation>District</translation>
    </message>
    <message>
        <source>数字城管监督指挥中心 · 大屏</source>
        <translation>Urban Management Command Centre · Wall</translation>
    </message>
    <message>
        <source>数字城管监督指挥中心 · 今日</source>
        <translation>Urban Management Command Centre · Today</translation>
    </message>
    <message>
        <source>今日受理（按小时，虚线：近四周同日平均）</source>
        <translation>Intake today by hour (dashed: same weekday, 4-week mean)</translation>
    </message>
    <message>
        <source>今日高发问题 前十</source>
        <translation>Top 10 problems today</translation>
    </message>
    <message>
        <source>超期未结 · 按部门</source>
        <translation>Open overdue · by department</translation>
    </message>
    <message>
        <source>本月街道排名（得分）</source>
        <translation>Street ranking this month (score)</translation>
    </message>
    <message>
        <source>视频监控</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <source>目前没有超期案件</source>
        <translation>No overdue cases</translation>
    </message>
    <message>
        <source>超期 {h} 小时 {m} 分</source>
        <translation>overdue {h} h {m} min</translation>
    </message>
    <message>
        <source>数据 {n} s 前</source>
        <translation>data {n} s ago</translation>
    </message>
    <message>
        <source>数据读取中</source>
        <translation>reading data</translation>
    </message>
    <message>
        <source>已暂停 · {n} s 后继续轮播</source>
        <translation>Paused · rotation resumes in {n} s</translation>
    </message>
    <message>
        <source>数据库连接中断，画面为 {t} 的数据，正在自动重连</source>
        <translation>Database connection lost: showing data of {t}, reconnecting</translation>
    </message>
</context>
<context>
    <name>Workstation</name>
    <message>
        <source>数字城管监督指挥中心 · 操作台 · {db}</source>
        <translation>Digital Urban Management Command Center · Workstation · {db}</translation>
    </message>
    <message>
        <source>案件队列</source>
        <translation>Case queue</translation>
    </message>
    <message>
        <source>案件详情</source>
        <translation>Case detail</translation>
    </message>
    <message>
        <source>系统</source>
        <translation>System</translation>
    </message>
    <message>
        <source>注销</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>案件</source>
        <translation>Cases</translation>
    </message>
    <message>
        <source>新建案件…</source>
        <translation>New case…</translation>
    </message>
    <message>
        <source>全部刷新</source>
        <translation>Refresh all</translation>
    </message>
    <message>
        <source>查找案件</source>
        <translation>Find case</translation>
    </message>
    <message>
        <source>红灯案件</source>
        <translation>Red-light cases</translation>
    </message>
    <message>
        <source>视图</source>
        <translation>View</translation>
    </message>
    <message>
        <source>超时提醒声音</source>
        <translation>Sound on overdue alerts</translation>
    </message>
    <message>
        <source>地图</source>
        <translation>Map</translation>
    </message>
    <message>
        <source>显示摄像头</source>
        <translation>Show cameras</translation>
    </message>
    <message>
        <source>恢复自动适配</source>
        <translation>Resume auto fit</translation>
    </message>
    <message>
        <source>热力：在办案件</source>
        <translation>Heat: open cases</translation>
    </message>
    <message>
        <source>热力：超期案件</source>
        <translation>Heat: overdue cases</translation>
    </message>
    <message>
        <source>底图设置…</source>
        <translation>Basemap settings…</translation>
    </message>
    <message>
        <source>报表</source>
        <translation>Reports</translation>
    </message>
    <message>
        <source>帮助</source>
        <translation>Help</translation>
    </message>
    <message>
        <source>关于</source>
        <translation>About</translation>
    </message>
    <message>
        <source>在队列中列出全部红灯案件 (%1)</source>
        <translation>List every red-light case in the queue (%1)</translation>
    </message>
    <message>
        <source>单条确认</source>
        <translation>Acknowledge one</translation>
    </message>
    <message>
        <source>已确认 {n} 条提醒</source>
        <translation>Acknowledged {n} alerts</translation>
    </message>
    <message>
        <source>无法确认</source>
        <translation>Cannot acknowledge</translation>
    </message>
    <message>
        <source>{action}：案件 {number} 已完成</source>
        <translation>{action}: case {number} done</translation>
    </message>
    <message>
        <source>底图 {value} 既不是含 {{z}}/{{x}}/{{y}} 的瓦片地址，也不是存在的 .mbtiles 文件</source>
        <translation>Basemap {value} is neither a tile URL with {{z}}/{{x}}/{{y}} nor an existing .mbtiles file</translation>
    </message>
    <message>
        <source>附近摄像头</source>
        <translation>Nearby cameras</translation>
    </message>
    <message>
        <source>今日日报（预览）…</source>
        <translation>Today&apos;s brief (preview)…</translation>
    </message>
    <message>
        <source>昨日日报（预览）…</source>
        <translation>Yesterday&apos;s brief (preview)…</translation>
    </message>
    <message>
        <source>打印今日日报…</source>
        <translation>Print today&apos;s brief…</translation>
    </message>
    <message>
        <source>上周周报（预览）…</source>
        <translation>Last week&apos;s bulletin (preview)…</translation>
    </message>
    <message>
        <source>上月月报（预览）…</source>
        <translation>Last month&apos;s bulletin (preview)…</translation>
    </message>
    <message>
        <source>读取失败，将重试：{error}</source>
        <translation>Read failed, will retry: {error}</translation>
    </message>
    <message>
        <source>案件 {number} 已登记（{source}）</source>
        <translation>Case {number} registered ({source})</translation>
    </message>
    <message>
        <source>● 红灯 {n}</source>
        <translation>● Red {n}</translation>
    </message>
    <message>
        <source>数据 {time}</source>
        <translation>Data {time}</translation>
    </message>
    <message>
        <source>案件队列 · 数据 %1</source>
        <translation>Case queue · data %1</translation>
    </message>
    <message>
        <source>案件详情 · 数据 %1</source>
        <translation>Case detail · data %1</translation>
    </message>
    <message>
        <source>从未连接</source>
        <translation>never connected</translation>
    </message>
    <message>
        <source>已 {n} 秒未更新</source>
        <translation>no update for {n} s</translation>
    </message>
    <message>
        <source>⚠ 数据可能已过期：{since}，正在自动重连…  {why}</source>
        <translation>⚠ Data may be out of date: {since}; reconnecting…  {why}</translation>
    </message>
    <message>
        <source>⚠ 数据可能已过期：数据库无响应，正在等待…</source>
        <translation>⚠ Data may be out of date: the database is not answering; waiting…</translation>
    </message>
    <message>
        <source>周一</source>
        <translation>Mon</translation>
    </message>
    <message>
        <source>周二</source>
        <translation>Tue</translation>
    </message>
    <message>
        <source>周三</source>
        <translation>Wed</translation>
    </message>
    <message>
        <source>周四</source>
        <translation>Thu</translation>
    </message>
    <message>
        <source>周五</source>
        <translation>Fri</translation>
    </message>
    <message>
        <source>周六</source>
        <translation>Sat</translation>
    </message>
    <message>
        <source>周日</source>
        <translation>Sun</translation>
    </message>
    <message>
        <source>工作日</source>
        <translation>workday</translation>
    </message>
    <message>
        <source>休息日</source>
        <translation>day off</translation>
    </message>
    <message>
        <source>{role} {name} @ {seat}</source>
        <translation>{role} {name} @ {seat}</translation>
    </message>
    <message>
        <source>{kind} ● 本机</source>
        <translation>{kind} ● local</translation>
    </message>
    <message>
        <source>实时</source>
        <translation>live</translation>
    </message>
    <message>
        <source>数据可能过期</source>
        <translation>may be out of date</translation>
    </message>
    <message>
        <source>连接中断</source>
        <translation>disconnected</translation>
    </message>
    <message>
        <source>底图设置</source>
        <translation>Basemap settings</translation>
    </message>
    <message>
        <source>内网瓦片地址（含 {z}/{x}/{y}）或本地 MBTiles 文件路径；留空则不用底图。
重新启动后生效。</source>
        <translation>An intranet tile URL (with {z}/{x}/{y}) or the path of a local MBTiles file; leave it empty for no basemap.
Takes effect after a restart.</translation>
    </message>
    <message>
        <source>urban-console 数字城管监督指挥中心操作台</source>
        <translation>urban-console, the workstation of the Digital Urban Management Command Center</translation>
    </message>
</context>
<context>
    <name>_FormDialog</name>
    <message>
        <source>确定</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>正在提交…</source>
        <translation>Submitting…</translation>
    </message>
</context>
</TS>
